package io.ticketrush.web;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Brings the requests Payara refuses before any web application sees them into the JSON envelope: a path that
 * climbs above the root once decoded ({@code /orders/%2e%2e%2f%2e%2e}), a NUL, a backslash, a bad escape.
 * Payara's CoyoteAdapter answers those with an empty 400 before it has chosen a context, so no error page, filter
 * or valve of the WAR applies, and no setting changes that. So a Grizzly probe on each HTTP listener looks at
 * every request as it arrives and points one the server would refuse at {@link ErrorServlet}, which names the
 * {@link UriProblem}. Payara's internals are reached by reflection, so that the WAR needs nothing of them to
 * build; when they are not as expected, the server's own answers stay, and the log says so once.
 */
@WebListener
public class HttpLayerErrors implements ServletContextListener {

    /** Where a refused request is pointed: the problem's code follows. Served by {@link ErrorServlet}. */
    static final String PATH = "/error/http-layer/";

    private static final Logger LOG = Logger.getLogger(HttpLayerErrors.class.getName());

    private final List<Object> watched = new ArrayList<>();
    private Object probes;
    private Method removeProbes;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        try {
            install();
            LOG.info(() -> "Requests Payara refuses before the WAR are answered in JSON (" + watched.size()
                    + " HTTP server filters watched)");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "Requests Payara refuses before the WAR keep its empty answers: " + e, e);
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        for (Object monitoring : watched) {
            try {
                removeProbes.invoke(monitoring, probes);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.FINE, "Could not remove the HTTP-layer probe", e);
            }
        }
        watched.clear();
    }

    /**
     * Globals' service locator, then for each network listener: Grizzly's proxy, its listener, the
     * HttpServerFilters of its filter chain, and their monitoring config, where the probe goes.
     */
    private void install() throws ReflectiveOperationException {
        Class<?> globals = Class.forName("org.glassfish.internal.api.Globals");
        ClassLoader server = globals.getClassLoader();
        Object locator = globals.getMethod("getDefaultHabitat").invoke(null);
        Class<?> locatorType = Class.forName("org.glassfish.hk2.api.ServiceLocator", false, server);
        Class<?> listenerConfig = Class.forName("org.glassfish.grizzly.config.dom.NetworkListener", false, server);
        Class<?> grizzlyType = Class.forName("com.sun.enterprise.v3.services.impl.GrizzlyService", false, server);
        Class<?> proxyType = Class.forName("com.sun.enterprise.v3.services.impl.GrizzlyProxy", false, server);
        Class<?> listenerType = Class.forName("org.glassfish.grizzly.config.GenericGrizzlyListener", false, server);
        Class<?> filterType = Class.forName("org.glassfish.grizzly.http.server.HttpServerFilter", false, server);
        Class<?> monitoringType = Class.forName("org.glassfish.grizzly.monitoring.MonitoringConfig", false, server);
        Class<?> probeType = Class.forName("org.glassfish.grizzly.http.server.HttpServerProbe", false, server);
        Class<?> requestType = Class.forName("org.glassfish.grizzly.http.server.Request", false, server);
        Class<?> packetType = Class.forName("org.glassfish.grizzly.http.HttpRequestPacket", false, server);

        probes = Array.newInstance(probeType, 1);
        Array.set(
                probes,
                0,
                Proxy.newProxyInstance(
                        server,
                        new Class<?>[] {probeType},
                        new Probe(
                                requestType.getMethod("getRequest"),
                                packetType.getMethod("getRequestURI"),
                                packetType.getMethod("setRequestURI", String.class))));
        Object grizzly = locatorType
                .getMethod("getService", Class.class, Annotation[].class)
                .invoke(locator, grizzlyType, new Annotation[0]);
        List<?> listeners = (List<?>) locatorType
                .getMethod("getAllServices", Class.class, Annotation[].class)
                .invoke(locator, listenerConfig, new Annotation[0]);
        Method addProbes = monitoringType.getMethod("addProbes", Object[].class);
        removeProbes = monitoringType.getMethod("removeProbes", Object[].class);
        for (Object listener : listeners) {
            Object proxy =
                    grizzlyType.getMethod("lookupNetworkProxy", listenerConfig).invoke(grizzly, listener);
            if (!proxyType.isInstance(proxy)) {
                continue; // a listener that is not started, such as the disabled HTTPS one
            }
            Object grizzlyListener =
                    proxyType.getMethod("getUnderlyingListener").invoke(proxy);
            if (!listenerType.isInstance(grizzlyListener)) {
                continue;
            }
            for (Object filter :
                    (List<?>) listenerType.getMethod("getFilters", Class.class).invoke(grizzlyListener, filterType)) {
                Object monitoring = filterType.getMethod("getMonitoringConfig").invoke(filter);
                addProbes.invoke(monitoring, probes);
                watched.add(monitoring);
            }
        }
        if (watched.isEmpty()) {
            throw new IllegalStateException("no HTTP listener found among " + listeners.size() + " network listeners");
        }
    }

    /**
     * Grizzly's HttpServerProbe: when a request arrives, before any handler runs, a path the server would refuse
     * is replaced by {@link #PATH} and the problem's code. Every other event is of no interest.
     */
    private static final class Probe implements InvocationHandler {

        private final Method getRequest;
        private final Method getRequestUri;
        private final Method setRequestUri;

        Probe(Method getRequest, Method getRequestUri, Method setRequestUri) {
            this.getRequest = getRequest;
            this.getRequestUri = getRequestUri;
            this.setRequestUri = setRequestUri;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "onRequestReceiveEvent" -> received(args[2]);
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "toString" -> {
                    return "ticketrush " + HttpLayerErrors.class.getSimpleName();
                }
                default -> {
                    // Other request events: nothing to do.
                }
            }
            return null;
        }

        /** Never throws: Grizzly would fail the request, which is the server's to answer. */
        private void received(Object request) {
            try {
                Object packet = getRequest.invoke(request);
                String uri = (String) getRequestUri.invoke(packet);
                UriProblem problem = uri == null ? null : UriProblem.of(uri);
                if (problem != null) {
                    setRequestUri.invoke(packet, PATH + problem.code());
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.FINE, "Could not check a request's path", e);
            }
        }
    }
}
