package io.ticketrush.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script from {@code src/main/resources/lua/}, read once, with the SHA-1 that EVALSHA names it by. A line
 * {@code --#include name} is replaced by {@code lua/includes/name.lua}: Redis runs one self-contained source, and
 * what several scripts share is written once. The include is inlined here, at load time, so it costs nothing when
 * the script runs.
 */
public final class LuaScript {

    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1Hex(source);
    }

    private static final String INCLUDE = "--#include ";

    /** Loads {@code lua/<name>.lua} from the class path; a missing script is a packaging bug. */
    public static LuaScript load(String name) {
        StringBuilder source = new StringBuilder();
        for (String line : read("lua/" + name + ".lua").split("\n", -1)) {
            if (line.startsWith(INCLUDE)) {
                source.append(
                        read("lua/includes/" + line.substring(INCLUDE.length()).strip() + ".lua"));
            } else {
                source.append(line).append('\n');
            }
        }
        return new LuaScript(name, source.toString());
    }

    private static String read(String path) {
        try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Lua script not on the class path: " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Lua script " + path, e);
        }
    }

    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    public String sha() {
        return sha;
    }

    private static String sha1Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-1", e);
        }
    }
}
