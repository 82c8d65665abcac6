package io.ticketrush.web.buyer;

import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /auth/config}: how the buyer's page names its buyer, public like the provider's own discovery
 * document: {@code buyerAuth} {@code open} (a userId the buyer types), or {@code oidc} with the {@code issuer} to sign
 * in at and the page's {@code clientId} there.
 */
@WebServlet("/auth/config")
public class SignInServlet extends ApiServlet {

    @Inject
    Buyers buyers;

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            throw methodNotAllowed(request, response, "GET");
        }
        response.setHeader("Cache-Control", "public, max-age=60");
        ApiResponse.send(response, 200, 1, "ok", json -> {
            json.write("buyerAuth", buyers.authenticated() ? "oidc" : "open");
            if (buyers.authenticated()) {
                json.write("issuer", buyers.issuer())
                        .write("clientId", buyers.clientId())
                        .write("scope", buyers.scope());
                if (buyers.audience() != null) {
                    json.write("audience", buyers.audience());
                }
            }
        });
    }
}
