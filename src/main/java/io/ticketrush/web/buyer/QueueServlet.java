package io.ticketrush.web.buyer;

import io.ticketrush.model.Ids;
import io.ticketrush.model.PlacesPage;
import io.ticketrush.queue.ProofOfWork;
import io.ticketrush.queue.QueueDraw;
import io.ticketrush.queue.QueueStatus;
import io.ticketrush.queue.QueueStatusJson;
import io.ticketrush.queue.WaitingRoom;
import io.ticketrush.web.ApiException;
import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;
import io.ticketrush.web.Form;
import jakarta.inject.Inject;
import jakarta.json.stream.JsonGenerator;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * A sale's waiting room, for buyers: {@code POST /queue/{eventId}/join} (the buyer: {@link Buyers}; form
 * {@code pow} where the sale asks for a proof of work), {@code GET /queue/{eventId}/challenge} (the proof of work to
 * solve first), {@code GET /queue/{eventId}} (the state every buyer shares, which nginx caches for a second),
 * {@code POST /queue/{eventId}/admission} (form {@code place}) and {@code GET /queue/{eventId}/fairness}.
 */
@WebServlet(urlPatterns = "/queue/*", asyncSupported = true)
public class QueueServlet extends ApiServlet {

    /** A form of one id or one token, or of a proof of work (at most {@value ProofOfWork#MAX_PAYLOAD_LENGTH}). */
    static final int MAX_BODY_BYTES = 4 * 1024;

    @Inject
    WaitingRoom waitingRoom;

    @Inject
    Buyers buyers;

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        String[] parts = path == null ? new String[0] : path.substring(1).split("/", -1);
        if (parts.length == 0 || parts.length > 2 || !Ids.isValid(parts[0])) {
            throw ApiException.notFound("no such path");
        }
        String eventId = parts[0];
        String action = parts.length == 2 ? parts[1] : "";
        switch (action) {
            case "" -> {
                requireMethod(request, response, "GET");
                state(eventId, response);
            }
            case "join" -> {
                requireMethod(request, response, "POST");
                join(eventId, Form.read(request, MAX_BODY_BYTES), request, response);
            }
            case "admission" -> {
                requireMethod(request, response, "POST");
                admission(eventId, Form.read(request, MAX_BODY_BYTES), request, response);
            }
            case "challenge" -> {
                requireMethod(request, response, "GET");
                challenge(eventId, Form.read(request, MAX_BODY_BYTES), request, response);
            }
            case "fairness" -> {
                requireMethod(request, response, "GET");
                fairness(eventId, Form.read(request, MAX_BODY_BYTES), response);
            }
            default -> throw ApiException.notFound("no such path");
        }
    }

    private static void requireMethod(HttpServletRequest request, HttpServletResponse response, String method) {
        boolean head = "HEAD".equals(request.getMethod()) && "GET".equals(method);
        if (!method.equals(request.getMethod()) && !head) {
            throw methodNotAllowed(request, response, method);
        }
    }

    private void join(String eventId, Form form, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        answer(
                request,
                response,
                waitingRoom.join(eventId, buyers.of(request, response, form), form.token("pow")),
                QueueServlet::joined);
    }

    private void challenge(String eventId, Form query, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        ProofOfWork.Challenge challenge = waitingRoom.challenge(eventId, buyers.of(request, response, query));
        // The buyer's own, and new every time: never kept by nginx, a browser or anyone in between.
        response.setHeader("Cache-Control", "no-store");
        ApiResponse.send(
                response,
                200,
                1,
                "solve it, then join with pow",
                json -> json.write("algorithm", challenge.algorithm())
                        .write("challenge", challenge.challenge())
                        .write("maxnumber", challenge.maxnumber())
                        .write("salt", challenge.salt())
                        .write("signature", challenge.signature()));
    }

    private static void joined(HttpServletResponse response, WaitingRoom.Standing standing) throws IOException {
        ApiResponse.send(response, 200, 1, "in the queue", json -> {
            json.write("eventId", standing.eventId())
                    .write("userId", standing.userId())
                    .write("place", standing.place())
                    .write("state", standing.state().name());
            writeOrNull(json, "position", standing.position());
            writeOrNull(json, "ahead", standing.ahead());
        });
    }

    private void admission(String eventId, Form form, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        String buyer = buyers.verified(request, response, form);
        WaitingRoom.AdmissionAnswer answer = waitingRoom.admission(eventId, form.token("place"), buyer);
        if (answer instanceof WaitingRoom.AdmissionAnswer.Admitted admitted) {
            ApiResponse.send(
                    response,
                    200,
                    1,
                    "admitted: buy before expiresAt",
                    json -> json.write("admission", admitted.admission())
                            .write("expiresAt", admitted.expiresAt())
                            .write("position", admitted.position()));
        } else if (answer instanceof WaitingRoom.AdmissionAnswer.NotYet notYet) {
            ApiResponse.send(response, 200, -3, "not admitted yet", json -> {
                json.write("state", notYet.state().name());
                writeOrNull(json, "position", notYet.position());
                writeOrNull(json, "ahead", notYet.ahead());
                json.writeStartObject("etaSeconds");
                writeOrNull(json, "min", notYet.etaMin());
                writeOrNull(json, "max", notYet.etaMax());
                json.writeEnd();
            });
        } else {
            ApiResponse.send(response, 200, -1, "sold out", json -> json.write("state", "SOLD_OUT"));
        }
    }

    private void state(String eventId, HttpServletResponse response) throws IOException {
        QueueStatus status = waitingRoom.status(eventId);
        // The same for every buyer: nginx keeps it for a second, and so may anyone in between.
        response.setHeader("Cache-Control", "public, max-age=1");
        ApiResponse.send(response, 200, 1, "ok", json -> QueueStatusJson.writeShared(json, status));
    }

    private void fairness(String eventId, Form query, HttpServletResponse response) throws IOException {
        String fromParam = query.token("from");
        String countParam = query.token("count");
        Long from = fromParam == null && countParam == null
                ? null
                : integer("from", fromParam == null ? "1" : fromParam, 1, Long.MAX_VALUE / 2);
        int count =
                countParam == null ? PlacesPage.MAX_COUNT : (int) integer("count", countParam, 1, PlacesPage.MAX_COUNT);
        QueueStatus status = waitingRoom.status(eventId);
        List<String> places = from == null ? null : waitingRoom.placeHashes(eventId, from, count);
        ApiResponse.send(response, 200, 1, "ok", json -> {
            json.write("eventId", eventId)
                    .write("algorithm", QueueDraw.ALGORITHM)
                    .write("version", QueueDraw.VERSION)
                    .write("commitment", status.commitment())
                    .write("opensAt", status.opensAt())
                    .write("joined", status.joined());
            if (status.open() && status.digest() != null) {
                json.writeStartObject("frozen")
                        .write("size", status.frozen())
                        .write("digest", status.digest())
                        .writeEnd();
                json.write("seed", status.seed());
            } else {
                json.writeNull("frozen");
                json.writeNull("seed");
            }
            if (places != null) {
                json.write("from", from);
                json.writeStartArray("places");
                places.forEach(json::write);
                json.writeEnd();
            }
        });
    }

    private static long integer(String name, String value, long min, long max) {
        try {
            long number = Long.parseLong(value.strip());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // the same answer as out of range
        }
        throw ApiException.badRequest(name + " must be an integer from " + min + " to " + max);
    }

    private static void writeOrNull(JsonGenerator json, String name, Long value) {
        if (value == null) {
            json.writeNull(name);
        } else {
            json.write(name, value);
        }
    }
}
