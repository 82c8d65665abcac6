package io.ticketrush.model;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * This instance's name (instance.name): its X-Instance header, its Redis client name, its hand-off consumer and its
 * member entry, so that one instance is one name wherever it shows. Dependent: each bean holds its own, read as a
 * plain field on the hot path (the X-Instance header of every answer), with no client proxy in between.
 */
@Dependent
public class InstanceName {

    @Inject
    @ConfigProperty(name = "instance.name")
    String name;

    public String get() {
        return name;
    }
}
