package io.ticketrush.redis;

import io.ticketrush.model.Order;
import java.util.List;

/**
 * Reads a Lua script's reply as Jedis hands it over: an array of integers ({@code Long}), strings and arrays. Only a
 * script's Java face reads one; an element of another type than its script's header says is a bug, and named as one.
 */
public final class ScriptReply {

    private ScriptReply() {}

    /** The reply of a script whose header says it answers an array. */
    public static List<?> list(LuaScript script, Object reply) {
        if (reply instanceof List<?> list && !list.isEmpty()) {
            return list;
        }
        throw unexpected(script, reply);
    }

    /** The first element of the array, the result code of scripts that answer one. */
    public static int code(LuaScript script, List<?> reply) {
        return Math.toIntExact(number(script, reply, 0));
    }

    public static long number(LuaScript script, List<?> reply, int index) {
        if (index < reply.size() && reply.get(index) instanceof Long number) {
            return number;
        }
        throw unexpected(script, reply);
    }

    /** A string element; a Lua {@code false} (a missing hash field) reads as null. */
    public static String text(LuaScript script, List<?> reply, int index) {
        if (index < reply.size() && (reply.get(index) instanceof String || reply.get(index) == null)) {
            return (String) reply.get(index);
        }
        throw unexpected(script, reply);
    }

    public static List<?> array(LuaScript script, List<?> reply, int index) {
        if (index < reply.size() && reply.get(index) instanceof List<?> list) {
            return list;
        }
        throw unexpected(script, reply);
    }

    /**
     * The order in the reply {@code {code, orderId, record, nowMs}} in which reserve, held, pay and order.lua answer
     * one.
     */
    public static Order order(LuaScript script, List<?> reply) {
        return Order.fromRecord(text(script, reply, 1), text(script, reply, 2), number(script, reply, 3));
    }

    /** A reply its script's header does not list. */
    public static IllegalStateException unexpected(LuaScript script, Object reply) {
        return new IllegalStateException(script.name() + ".lua answered " + reply);
    }
}
