package io.ticketrush.web.admin;

import io.ticketrush.cluster.Members;
import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.StringReader;
import java.util.Map;

/**
 * {@code GET /admin/instances}: every instance of the deployment with its weight, whether it is alive, and the
 * counters it published with its last heartbeat ({@link io.ticketrush.cluster.InstanceReport}). Whichever instance
 * answers, it answers for all of them, from one read of Redis.
 */
@WebServlet("/admin/instances")
public class InstancesServlet extends ApiServlet {

    @Inject
    AdminAuth auth;

    @Inject
    Members members;

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"GET".equals(request.getMethod())) {
            throw methodNotAllowed(request, response, "GET");
        }
        auth.check(request, response);
        Members.Roll roll = members.roll();
        ApiResponse.send(response, 200, 1, "ok", json -> {
            json.write("now", roll.now());
            json.writeStartArray("instances");
            for (Members.Member member : roll.members()) {
                write(json, member);
            }
            json.writeEnd();
        });
    }

    private static void write(JsonGenerator json, Members.Member member) {
        JsonObject report = parse(member.report());
        json.writeStartObject().write("name", member.name()).write("alive", member.alive());
        if (member.weight() != null) {
            json.write("weight", member.weight());
        } else if (report.containsKey("weight")) {
            json.write("weight", report.get("weight"));
        } else {
            json.writeNull("weight");
        }
        if (member.lastBeat() != null) {
            json.write("lastBeat", member.lastBeat());
        } else {
            json.writeNull("lastBeat");
        }
        for (Map.Entry<String, JsonValue> field : report.entrySet()) {
            if (!"weight".equals(field.getKey())) {
                json.write(field.getKey(), field.getValue());
            }
        }
        json.writeEnd();
    }

    /** A report is what an instance of this service wrote; one that is not JSON (another version?) reads as none. */
    static JsonObject parse(String report) {
        if (report == null) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        try (JsonReader reader = Json.createReader(new StringReader(report))) {
            return reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
    }
}
