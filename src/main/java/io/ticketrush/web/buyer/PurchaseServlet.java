package io.ticketrush.web.buyer;

import io.ticketrush.purchase.PurchaseService;
import io.ticketrush.web.ApiException;
import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;
import io.ticketrush.web.Form;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code POST /buy/ticket}: the buyer ({@code userId}, or the access token: see {@link Buyers}) and, optionally, {@code eventId}, {@code retry}
 * ({@code true} when an earlier attempt went unanswered; nginx says the same with the header
 * {@value #RETRY_HEADER} when it resends a purchase its instance never answered) and, for a sale with a waiting
 * room, {@code admission} (the token {@code POST /queue/{eventId}/admission} gave).
 */
@WebServlet(urlPatterns = "/buy/ticket", asyncSupported = true)
public class PurchaseServlet extends ApiServlet {

    static final String RETRY_HEADER = "X-Ticketrush-Retry";

    /**
     * Set by nginx (and only by it: it overwrites what a client sends) on a purchase whose sold-out answer it will
     * keep and give to every buyer of the sale for the rest of the second: see docs/design.md, "The edge". Its value
     * is the event nginx keys that answer by; an answer is marked shareable only for that same event.
     */
    static final String SHARED_HEADER = "X-Ticketrush-Shared";

    /** nginx's own header: how long it may keep an answer ({@code @} and an epoch second: until that second ends). */
    static final String EDGE_EXPIRES_HEADER = "X-Accel-Expires";

    private static final ApiResponse.Constant SOLD_OUT = ApiResponse.constant(200, -1, "sold out");

    /**
     * How long after its second a shared sold-out answer may still be given while the next one is asked for; and
     * never instead of an error: nginx takes stale-while-revalidate for stale-if-error too, and would answer the
     * request that asks for the next one "sold out" when its instance fails it (it may have reserved a ticket, and
     * must be resent as a retry).
     */
    public static final String EDGE_CACHE_CONTROL = "stale-while-revalidate=1, stale-if-error=0";

    static final int BUSY_CODE = -3;

    private static final ApiResponse.Constant BUSY = ApiResponse.constant(
            503, BUSY_CODE, "busy: every ticket this instance may sell now is being confirmed; try again shortly");

    /** A purchase form is two short ids and a token; anything much larger is not a purchase. */
    static final int MAX_BODY_BYTES = 8 * 1024;

    @Inject
    PurchaseService purchases;

    @Inject
    Buyers buyers;

    @Inject
    @ConfigProperty(name = "event.default")
    String defaultEvent;

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"POST".equals(request.getMethod())) {
            throw methodNotAllowed(request, response, "POST");
        }
        Form.refuseInQuery(request, "userId");
        Form form = Form.read(request, MAX_BODY_BYTES);
        String userId = buyers.of(request, response, form);
        String eventId = form.id("eventId", defaultEvent);
        boolean retry = form.flag("retry") | retryHeader(request);
        // nginx keys a form without an event by its own EVENT_ID: shared only when that is this instance's sale too.
        boolean shared = !retry && eventId != null && eventId.equals(request.getHeader(SHARED_HEADER));

        answer(
                request,
                response,
                purchases.purchase(eventId, userId, retry, form.token("admission"), shared),
                (answering, reservation) -> {
                    switch (reservation.outcome()) {
                        case RESERVED ->
                            ApiResponse.send(answering, 200, 1, "reserved", OrderJson.of(reservation.order()));
                        case SOLD_OUT -> {
                            if (shared && reservation.sharedThrough() > 0) {
                                // When it has run out, the next buyer asks again while the others of that moment
                                // still get it, for one second at most: no crowd meets an empty cache at once. Sent
                                // first: nginx 1.22 reads no Cache-Control extension after an X-Accel-Expires.
                                answering.setHeader("Cache-Control", EDGE_CACHE_CONTROL);
                                answering.setHeader(EDGE_EXPIRES_HEADER, "@" + reservation.sharedThrough());
                            }
                            ApiResponse.send(answering, SOLD_OUT);
                        }
                        case ALREADY_HELD ->
                            ApiResponse.send(
                                    answering,
                                    200,
                                    -2,
                                    "you already hold a ticket for this event",
                                    OrderJson.of(reservation.order()));
                        case NO_SUCH_EVENT, DELETED -> {
                            if (shared) {
                                // Redis was asked just now (no share is kept of an event it does not have).
                                answering.setHeader(EDGE_EXPIRES_HEADER, "@" + System.currentTimeMillis() / 1000);
                            }
                            throw ApiException.notFound("no such event: " + eventId);
                        }
                        case NOT_ADMITTED -> throw new ApiException(403, reservation.refusal());
                        case BUSY -> {
                            answering.setHeader("Retry-After", "1");
                            ApiResponse.send(answering, BUSY);
                        }
                    }
                });
    }

    private static boolean retryHeader(HttpServletRequest request) {
        String value = request.getHeader(RETRY_HEADER);
        if (value == null || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw ApiException.badRequest("header " + RETRY_HEADER + " must be true or false");
    }
}
