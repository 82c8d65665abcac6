package io.ticketrush.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ApiResponseTest {

    @Test
    void writesTheEnvelopeWithNullData() {
        assertEquals("{\"code\":-1,\"msg\":\"sold out\",\"data\":null}", ApiResponse.body(-1, "sold out", null));
    }

    @Test
    void writesTheEnvelopeAroundData() {
        String body = ApiResponse.body(
                1, "ok", json -> json.write("orderId", "e-1-abc").write("expiresAt", 17L));
        assertEquals("{\"code\":1,\"msg\":\"ok\",\"data\":{\"orderId\":\"e-1-abc\",\"expiresAt\":17}}", body);
    }

    @Test
    void escapesWhatWouldBreakTheJson() {
        assertEquals(
                "{\"code\":-400,\"msg\":\"a \\\"quoted\\\" \\\\ line\\n\",\"data\":null}",
                ApiResponse.body(-400, "a \"quoted\" \\ line\n", null));
    }
}
