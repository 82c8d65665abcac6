package io.ticketrush.testsupport;

import java.io.File;
import java.util.UUID;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The WAR exactly as Maven built it: black-box tests deploy what users deploy. */
public final class Deployments {

    private Deployments() {}

    public static WebArchive builtWar() {
        File war = new File(System.getProperty("ticketrush.war", "target/ticketrush.war"));
        if (!war.isFile()) {
            throw new IllegalStateException("No WAR at " + war + ": run the tests with mvn verify");
        }
        return ShrinkWrap.create(ZipImporter.class, "ticketrush.war")
                .importFrom(war)
                .as(WebArchive.class);
    }

    /** A fresh event id for one test, so no test sees another's sale. */
    public static String newEventId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
