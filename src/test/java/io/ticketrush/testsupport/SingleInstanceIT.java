package io.ticketrush.testsupport;

import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A black-box test class against one Payara Micro that Arquillian starts with the built WAR, on the run's shared
 * Redis and PostgreSQL (see arquillian.xml and {@link SharedServers}). Each test gets {@link #api} ready to use.
 */
@ExtendWith(ArquillianExtension.class)
public abstract class SingleInstanceIT {

    /** The {@code instance.name} arquillian.xml gives the instance: every answer names it in X-Instance. */
    public static final String INSTANCE_NAME = "it-solo";

    @ArquillianResource
    private URL url;

    /** The instance's API on 127.0.0.1, whatever address Arquillian reported. */
    protected Api api;

    @Deployment(testable = false)
    public static WebArchive war() {
        return Deployments.builtWar();
    }

    @BeforeEach
    void connect() {
        api = Api.onPort(port());
    }

    /** The instance's HTTP port, for requests {@link Api} cannot send (see {@link RawHttp}). */
    protected int port() {
        return url.getPort();
    }
}
