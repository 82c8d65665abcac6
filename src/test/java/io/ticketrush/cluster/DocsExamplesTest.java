package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@link DocsExamplesIT} reads the docs' blocks and judges an answer against the one shown, without a server. */
class DocsExamplesTest {

    @Test
    void splitsABlockIntoCommandsEachWithTheAnswersShownUnderIt() {
        List<DocsExamplesIT.Block> blocks = DocsExamplesIT.blocks(List.of(
                "Some prose.",
                "```bash",
                "curl -fsS \\",
                "     \"$BASE/events/default\"",
                "# {\"code\":1,\"msg\":\"ok\",\"data\":{}}",
                "for buyer in alice bob; do",
                "    curl -fsS -d userId=$buyer \"$BASE/buy/ticket\"",
                "done",
                "until [ -f x ]; do sleep 1; done",
                "```",
                "```text",
                "curl in printed output",
                "```"));

        assertEquals(2, blocks.size());
        assertTrue(blocks.get(0).bash());
        assertEquals(3, blocks.get(0).line(), "the line of the block's first command, 1-based");
        List<DocsExamplesIT.Step> steps = DocsExamplesIT.steps(blocks.get(0));
        assertEquals(3, steps.size());
        assertEquals(
                List.of("{\"code\":1,\"msg\":\"ok\",\"data\":{}}"), steps.get(0).shown());
        assertTrue(steps.get(1).command().strip().endsWith("done"), "a loop is one command");
        assertEquals(6, steps.get(1).line());
        assertEquals("until [ -f x ]; do sleep 1; done", steps.get(2).command().strip());
        assertFalse(blocks.get(1).bash());
    }

    @Test
    void knowsABlockMarkedAsNotRunAndOneThatRunsCurl() {
        DocsExamplesIT.Block marked = DocsExamplesIT.blocks(List.of(
                        "```bash", DocsExamplesIT.NOT_RUN + " it starts servers of its own", "curl -s x", "```"))
                .get(0);
        DocsExamplesIT.Block unmarked =
                DocsExamplesIT.blocks(List.of("```", "A=$(curl -s x)", "```")).get(0);
        DocsExamplesIT.Block withoutReason = DocsExamplesIT.blocks(
                        List.of("```bash", DocsExamplesIT.NOT_RUN, "curl -s x", "```"))
                .get(0);

        assertTrue(marked.marked());
        assertFalse(unmarked.marked());
        assertTrue(unmarked.mentionsCurl());
        assertFalse(withoutReason.marked(), "a marker must say why");
    }

    @Test
    void acceptsAnAnswerWithTheCodeMsgAndNullnessShown() {
        assertNull(DocsExamplesIT.compare(
                List.of("{\"code\":-3,\"msg\":\"not admitted yet\",\"data\":{\"position\":3}}"),
                List.of("{\"code\":-3,\"msg\":\"not admitted yet\",\"data\":{\"position\":1}}")));
        assertNull(
                DocsExamplesIT.compare(
                        List.of(
                                "{\"code\":-422,\"msg\":\"request id … was already used for another request on sale x\",\"data\":null}"),
                        List.of(
                                "{\"code\":-422,\"msg\":\"request id 8d3a was already used for another request on sale x\",\"data\":null}")),
                "… stands for anything");
    }

    @Test
    void refusesAnAnswerWithAnotherCodeMsgOrNullness() {
        String shown = "{\"code\":1,\"msg\":\"admitted: buy before expiresAt\",\"data\":{\"admission\":\"a.b\"}}";

        assertNotNull(DocsExamplesIT.compare(
                List.of(shown),
                List.of("{\"code\":-3,\"msg\":\"not admitted yet\",\"data\":{\"state\":\"WAITING\"}}")));
        assertNotNull(DocsExamplesIT.compare(
                List.of(shown), List.of("{\"code\":1,\"msg\":\"admitted\",\"data\":{\"admission\":\"a.b\"}}")));
        assertNotNull(DocsExamplesIT.compare(
                List.of(shown), List.of("{\"code\":1,\"msg\":\"admitted: buy before expiresAt\",\"data\":null}")));
        assertNotNull(DocsExamplesIT.compare(List.of(shown), List.of()), "nothing printed");
        assertNotNull(DocsExamplesIT.compare(List.of(shown), List.of("{\"error\":\"not the envelope\"}")));
    }
}
