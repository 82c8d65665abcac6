package io.ticketrush.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptReplyTest {

    private static final LuaScript PAY = LuaScript.load("pay");

    @Test
    void readsEachElementAsTheTypeAsked() {
        List<?> reply = ScriptReply.list(PAY, Arrays.asList(1L, "e1-1-abc", null, List.of("x")));

        assertEquals(1, ScriptReply.code(PAY, reply));
        assertEquals("e1-1-abc", ScriptReply.text(PAY, reply, 1));
        assertNull(ScriptReply.text(PAY, reply, 2), "a Lua false");
        assertEquals(List.of("x"), ScriptReply.array(PAY, reply, 3));
    }

    @Test
    void namesTheScriptWhenAnElementIsNotWhatItsHeaderSays() {
        List<?> reply = List.of("1");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ScriptReply.code(PAY, reply));
        assertEquals("pay.lua answered [1]", e.getMessage());
        assertThrows(IllegalStateException.class, () -> ScriptReply.number(PAY, List.of(1L), 1));
        assertThrows(IllegalStateException.class, () -> ScriptReply.text(PAY, List.of(1L), 0));
        assertThrows(IllegalStateException.class, () -> ScriptReply.list(PAY, 1L));
        assertThrows(IllegalStateException.class, () -> ScriptReply.list(PAY, List.of()));
    }
}
