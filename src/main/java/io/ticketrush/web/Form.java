package io.ticketrush.web;

import io.ticketrush.model.Ids;
import io.ticketrush.model.InvalidIdException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of a form POST (query string and {@code application/x-www-form-urlencoded} body), read here
 * rather than by the container so that every body, chunked ones included, is held to one size limit and
 * every malformed one gets a 4xx that says why.
 */
public final class Form {

    public static final String CONTENT_TYPE = "application/x-www-form-urlencoded";

    private final Map<String, List<String>> values;

    private Form(Map<String, List<String>> values) {
        this.values = values;
    }

    /** Reads the request's form; 413 when the body is over {@code maxBytes}, 415 when it is not a form. */
    public static Form read(HttpServletRequest request, int maxBytes) throws IOException {
        long length = request.getContentLengthLong();
        if (length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        Map<String, List<String>> values = new HashMap<>();
        parse(request.getQueryString(), values);
        boolean hasBody = length > 0 || request.getHeader("Transfer-Encoding") != null;
        if (hasBody) {
            String type = request.getContentType();
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(CONTENT_TYPE)) {
                throw new ApiException(415, "Content-Type must be " + CONTENT_TYPE);
            }
            try (InputStream in = request.getInputStream()) {
                byte[] body;
                if (length > 0) {
                    // A declared length (checked above) is read into an array of that size: readNBytes(int)
                    // would allocate an 8 KiB buffer and copy out of it on every request.
                    body = new byte[(int) length];
                    int read = in.readNBytes(body, 0, body.length);
                    if (read < body.length) {
                        body = Arrays.copyOf(body, read);
                    }
                } else {
                    body = in.readNBytes(maxBytes + 1);
                    if (body.length > maxBytes) {
                        throw tooLarge(maxBytes);
                    }
                }
                parse(new String(body, StandardCharsets.ISO_8859_1), values);
            }
        }
        return new Form(values);
    }

    /**
     * A 400 when the query string carries {@code name}: a field that names a person belongs in the body, since
     * every access log (nginx's too) keeps the request line.
     */
    public static void refuseInQuery(HttpServletRequest request, String name) {
        String query = request.getQueryString();
        if (query != null && parse(query).values.containsKey(name)) {
            throw ApiException.badRequest(name + " must be sent in the form body, not in the query string (access logs"
                    + " keep the query string)");
        }
    }

    /** Parses {@code a=1&b=2} into {@code values}; percent-escapes decode as UTF-8. */
    static Form parse(String encoded) {
        Map<String, List<String>> values = new HashMap<>();
        parse(encoded, values);
        return new Form(values);
    }

    /**
     * The parameter {@code name} given exactly once, checked as an id (see {@link Ids}); {@code fallback}
     * when absent, or a 400 when there is no fallback.
     */
    public String id(String name, String fallback) {
        List<String> given = values.get(name);
        if (given == null) {
            if (fallback == null) {
                throw ApiException.badRequest(name + " is required");
            }
            return fallback;
        }
        if (given.size() > 1) {
            throw ApiException.badRequest(name + " is given more than once");
        }
        try {
            return Ids.check(name, given.get(0));
        } catch (InvalidIdException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** The id {@code name} as {@link #id} checks it, or null when the form does not have it. */
    public String optionalId(String name) {
        return values.containsKey(name) ? id(name, null) : null;
    }

    /**
     * The parameter {@code name} given at most once, trimmed, for a token whose checks are the caller's; null when
     * absent or blank.
     */
    public String token(String name) {
        List<String> given = values.get(name);
        if (given == null) {
            return null;
        }
        if (given.size() > 1) {
            throw ApiException.badRequest(name + " is given more than once");
        }
        String token = given.get(0).strip();
        return token.isEmpty() ? null : token;
    }

    /** The parameter {@code name} given at most once as {@code true} or {@code false}; false when absent. */
    public boolean flag(String name) {
        List<String> given = values.get(name);
        if (given == null) {
            return false;
        }
        if (given.size() > 1) {
            throw ApiException.badRequest(name + " is given more than once");
        }
        return switch (given.get(0).strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest(name + " must be true or false");
        };
    }

    private static void parse(String encoded, Map<String, List<String>> values) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            values.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
        }
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("the form is not properly URL-encoded");
        }
    }

    private static ApiException tooLarge(int maxBytes) {
        return new ApiException(413, "request body is larger than " + maxBytes + " bytes");
    }
}
