package io.ticketrush.testsupport;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ClassType;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StackFrame;
import com.sun.jdi.StringReference;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.IllegalConnectorArgumentsException;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.EventRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A debugger attached over JDWP to an instance started with {@link #agentOption}, for faults no request can cause:
 * an {@link Error} thrown in one of its threads, a thread held still. The WAR carries no hook for them; the JVM's
 * own debugging interface is the lever, as it would be for a real Error (a stack overflow, memory running out)
 * that strikes wherever the thread happens to be.
 */
public final class InstanceDebugger implements AutoCloseable {

    private final VirtualMachine vm;

    private InstanceDebugger(VirtualMachine vm) {
        this.vm = vm;
    }

    /** The JVM option that lets a debugger attach on {@code port} (loopback only), without stopping at start. */
    public static String agentOption(int port) {
        return "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port;
    }

    public static InstanceDebugger attach(int port) {
        AttachingConnector socket = Bootstrap.virtualMachineManager().attachingConnectors().stream()
                .filter(connector -> connector.name().equals("com.sun.jdi.SocketAttach"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("This JDK has no JDWP socket connector"));
        Map<String, Connector.Argument> arguments = socket.defaultArguments();
        arguments.get("hostname").setValue("127.0.0.1");
        arguments.get("port").setValue(Integer.toString(port));
        try {
            return new InstanceDebugger(socket.attach(arguments));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot attach to the instance's JVM on port " + port, e);
        } catch (IllegalConnectorArgumentsException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The live thread of that name; fails when there is none or more than one. */
    public ThreadReference thread(String name) {
        List<ThreadReference> named = vm.allThreads().stream()
                .filter(thread -> thread.name().equals(name))
                .toList();
        if (named.size() != 1) {
            throw new AssertionError(named.size() + " threads named " + name + ", not one");
        }
        return named.get(0);
    }

    /**
     * The next time thread {@code threadName} enters {@code className.methodName} (which {@code trigger} brings
     * about), an {@link Error} with {@code message} is thrown there, as if that method had thrown it.
     */
    public void throwErrorOnEntry(
            String className, String methodName, String threadName, String message, Runnable trigger, Duration within) {
        ThreadReference target = thread(threadName);
        Method method = vm.classesByName(className).stream()
                .flatMap(type -> type.methodsByName(methodName).stream())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(className + "." + methodName + " is not loaded"));
        BreakpointRequest entry = vm.eventRequestManager().createBreakpointRequest(method.location());
        entry.addThreadFilter(target);
        entry.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        entry.enable();
        Hit hit = null;
        try {
            trigger.run();
            hit = awaitBreakpoint(within);
            ClassType errorType =
                    (ClassType) vm.classesByName("java.lang.Error").get(0);
            Method constructor = errorType.concreteMethodByName("<init>", "(Ljava/lang/String;)V");
            StringReference text = vm.mirrorOf(message);
            text.disableCollection();
            ObjectReference error = errorType.newInstance(
                    hit.event().thread(), constructor, List.of(text), ClassType.INVOKE_SINGLE_THREADED);
            error.disableCollection();
            hit.event().thread().stop(error);
        } catch (Exception e) {
            throw new IllegalStateException("Could not throw an Error in " + threadName, e);
        } finally {
            vm.eventRequestManager().deleteEventRequest(entry);
            if (hit != null) {
                hit.events().resume();
            }
        }
    }

    /** A breakpoint hit, and the events that came with it: resuming them lets the thread go. */
    private record Hit(EventSet events, BreakpointEvent event) {}

    /** The first breakpoint hit; any other event is let go. */
    private Hit awaitBreakpoint(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() - deadline < 0) {
            EventSet events = vm.eventQueue().remove(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (events == null) {
                break;
            }
            for (Event event : events) {
                if (event instanceof BreakpointEvent breakpoint) {
                    return new Hit(events, breakpoint);
                }
            }
            events.resume();
        }
        throw new AssertionError("No breakpoint hit within " + within);
    }

    /**
     * Holds thread {@code threadName} still until {@link #resume}, at a moment it is not inside a method of
     * {@code avoidedClass} (where it might hold a lock that others need: then it would stop more than itself).
     */
    public void suspend(String threadName, String avoidedClass) {
        ThreadReference thread = thread(threadName);
        for (int attempt = 0; attempt < 100; attempt++) {
            thread.suspend();
            if (!inside(thread, avoidedClass)) {
                return;
            }
            thread.resume();
            Pause.of(Duration.ofMillis(7));
        }
        throw new AssertionError(threadName + " was always inside " + avoidedClass);
    }

    private static boolean inside(ThreadReference thread, String className) {
        try {
            for (StackFrame frame : thread.frames()) {
                ReferenceType type = frame.location().declaringType();
                if (type.name().equals(className) || type.name().startsWith(className + "$")) {
                    return true;
                }
            }
            return false;
        } catch (IncompatibleThreadStateException e) {
            throw new IllegalStateException(e);
        }
    }

    public void resume(String threadName) {
        ThreadReference thread = thread(threadName);
        while (thread.suspendCount() > 0) {
            thread.resume();
        }
    }

    /** Detaches; every thread this debugger held is let go. */
    @Override
    public void close() {
        vm.dispose();
    }
}
