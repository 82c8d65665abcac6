package io.ticketrush.testsupport;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One four-instance cluster for every end-to-end test class of a Failsafe run: started by the first class
 * that asks, stopped with {@code cluster.sh down} when the run ends, pass or fail (and by a shutdown hook if
 * the JVM is stopped). Tests receive it as a {@link Cluster} parameter.
 */
public class SharedCluster implements BeforeAllCallback, ParameterResolver {

    private static final String KEY = SharedCluster.class.getName();

    @Override
    public void beforeAll(ExtensionContext context) {
        running(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Cluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return running(context).cluster;
    }

    private static Running running(ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KEY, key -> new Running(), Running.class);
    }

    /** Closed by JUnit when the root context closes, at the end of the run. */
    static final class Running implements AutoCloseable {

        final Cluster cluster;
        private final Thread downOnExit;

        Running() {
            cluster = new Cluster(
                    Path.of("target", "it-cluster"), Cluster.testEnv(Map.of("TICKETS", "100", "HOLD_SECONDS", "60")));
            downOnExit = new Thread(cluster::downAndPurge, "cluster-down");
            Runtime.getRuntime().addShutdownHook(downOnExit);
            try {
                cluster.up();
            } catch (RuntimeException e) {
                cluster.downAndPurge();
                throw e;
            }
        }

        @Override
        public void close() {
            cluster.downAndPurge();
            Runtime.getRuntime().removeShutdownHook(downOnExit);
        }
    }
}
