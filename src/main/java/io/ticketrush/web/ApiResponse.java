package io.ticketrush.web;

import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the one JSON shape every answer has: {@code {"code":N,"msg":"…","data":{…}|null}}. Errors carry
 * {@code code = -status}.
 */
public final class ApiResponse {

    /** Writes the fields of {@code data}; the envelope is written around them. */
    @FunctionalInterface
    public interface Data {
        void write(JsonGenerator json);
    }

    /** Looked up once: {@code Json.createGenerator} would search for a provider on every call. */
    private static final JsonGeneratorFactory JSON = Json.createGeneratorFactory(Map.of());

    private ApiResponse() {}

    /** An answer without data whose body never changes, encoded once: a flash sale sends "sold out" a million times. */
    public static final class Constant {

        private final int status;
        private final byte[] body;

        private Constant(int status, byte[] body) {
            this.status = status;
            this.body = body;
        }
    }

    public static Constant constant(int status, int code, String msg) {
        return new Constant(status, body(code, msg, null).getBytes(StandardCharsets.UTF_8));
    }

    public static void send(HttpServletResponse response, int status, int code, String msg, Data data)
            throws IOException {
        write(response, status, body(code, msg, data).getBytes(StandardCharsets.UTF_8));
    }

    public static void send(HttpServletResponse response, Constant answer) throws IOException {
        write(response, answer.status, answer.body);
    }

    private static void write(HttpServletResponse response, int status, byte[] bytes) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json;charset=UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    public static void error(HttpServletResponse response, int status, String msg) throws IOException {
        send(response, status, -status, msg, null);
    }

    /** The envelope as text. */
    static String body(int code, String msg, Data data) {
        StringWriter body = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(body)) {
            json.writeStartObject().write("code", code).write("msg", msg);
            if (data == null) {
                json.writeNull("data");
            } else {
                json.writeStartObject("data");
                data.write(json);
                json.writeEnd();
            }
            json.writeEnd();
        }
        return body.toString();
    }
}
