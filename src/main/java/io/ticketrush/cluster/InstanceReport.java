package io.ticketrush.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import java.io.StringWriter;
import java.util.Map;

/**
 * What this instance publishes with each heartbeat ({@link Members#beat(String)}) for the operations dashboard: its
 * weight, its local permits per event, and every {@link Part}'s counters (the requests it has answered, its
 * purchases by outcome). Every figure is a counter kept in memory since the instance started; the dashboard turns
 * them into rates.
 */
@ApplicationScoped
public class InstanceReport {

    /** Counters another package adds to the report, under its own field. */
    public interface Part {

        /** Writes this part's fields into the report object. */
        void write(JsonGenerator json);
    }

    @Inject
    Instance<Part> parts;

    @Inject
    Members members;

    /** The report as JSON: {"weight","permits":{event: n},…every part's fields ("requests", "purchases", …)}. */
    public String json(Map<String, Integer> permits) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = Json.createGenerator(out)) {
            json.writeStartObject().write("weight", members.weight());
            json.writeStartObject("permits");
            permits.forEach(json::write);
            json.writeEnd();
            for (Part part : parts) {
                part.write(json);
            }
            json.writeEnd();
        }
        return out.toString();
    }
}
