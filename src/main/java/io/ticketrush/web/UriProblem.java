package io.ticketrush.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What is wrong with a request path that the server refuses before any web application sees it (see
 * {@link HttpLayerErrors}); each has a message for the JSON answer.
 */
public enum UriProblem {
    BAD_ESCAPE("a % not followed by two hex digits"),
    NOT_UTF8("percent-encoded bytes that are not UTF-8"),
    NUL("a NUL byte"),
    BACKSLASH("a backslash"),
    NOT_ABSOLUTE("a path that does not start with /"),
    ABOVE_ROOT("a path that climbs above the root");

    private final String what;

    UriProblem(String what) {
        this.what = what;
    }

    /** The answer's message. */
    public String message() {
        return "invalid URI: " + what;
    }

    /** How the problem travels in a path segment. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The problem of {@code code}, or null for none. */
    public static UriProblem ofCode(String code) {
        for (UriProblem problem : values()) {
            if (problem.code().equals(code)) {
                return problem;
            }
        }
        return null;
    }

    /**
     * The problem of a request path as it came off the wire (no query string), or null when it has none. Dot
     * segments count once percent-decoded, as the server resolves them; those that stay below the root are fine.
     */
    public static UriProblem of(String rawPath) {
        if ("*".equals(rawPath) || isPlain(rawPath)) {
            return null;
        }
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return NOT_ABSOLUTE;
        }
        String path;
        try {
            path = decode(rawPath);
        } catch (IllegalArgumentException e) {
            return BAD_ESCAPE;
        } catch (CharacterCodingException e) {
            return NOT_UTF8;
        }
        if (path.indexOf('\0') >= 0) {
            return NUL;
        }
        if (path.indexOf('\\') >= 0) {
            return BACKSLASH;
        }
        int depth = 0;
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                if (--depth < 0) {
                    return ABOVE_ROOT;
                }
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                depth++;
            }
        }
        return null;
    }

    /** Most paths: nothing to decode or resolve. */
    private static boolean isPlain(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' || c == '.' || c == '\\' || c == '\0') {
                return false;
            }
        }
        return true;
    }

    private static String decode(String raw) throws CharacterCodingException {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new IllegalArgumentException("truncated escape");
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("not hex");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes.toByteArray()))
                .toString();
    }
}
