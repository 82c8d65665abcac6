package io.ticketrush.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The error page of the WAR (see web.xml): errors the container raises itself, before any of our servlets
 * runs, are answered in the same JSON envelope as everything else; so are the requests {@link HttpLayerErrors}
 * points here, which the server would have refused before the WAR.
 */
@WebServlet({"/error", HttpLayerErrors.PATH + "*"})
public class ErrorServlet extends ApiServlet {

    private static final Logger LOG = Logger.getLogger(ErrorServlet.class.getName());

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Throwable failure = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (status == null) {
            UriProblem problem = request.getPathInfo() == null
                    ? null
                    : UriProblem.ofCode(request.getPathInfo().substring(1));
            if (problem != null) {
                throw ApiException.badRequest(problem.message());
            }
            throw ApiException.notFound("no such path");
        }
        int code = (Integer) status;
        if (failure != null) {
            LOG.log(
                    Level.SEVERE,
                    "Unhandled failure of " + request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI),
                    failure);
            code = 500;
        }
        ApiResponse.error(response, code, message(code));
    }

    private static String message(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 404 -> "no such path";
            case 405 -> "method not allowed";
            case 413 -> "request too large";
            case 415 -> "unsupported content type";
            default -> status >= 500 ? "internal error" : "request refused";
        };
    }
}
