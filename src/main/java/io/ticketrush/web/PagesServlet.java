package io.ticketrush.web;

import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers every path no other servlet serves: the WAR's pages and their files (the buyer's page at {@code /}, the
 * operations dashboard at {@code /admin/}, and the WebJars they load), handed to the container's own static
 * file servlet; anything else gets JSON rather than an HTML page.
 */
@WebServlet("/")
public class PagesServlet extends ApiServlet {

    /** The container's static file servlet (GlassFish's {@code default-web.xml}), which this mapping replaces on "/". */
    private static final String CONTAINER_FILES = "default";

    /**
     * The pages' own sources and what they load, and nothing else: no inline script, style from the WAR only, data
     * from this origin only, no framing (the dashboard's buttons must not be clickjacked).
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /** With buyers signing in, the buyer's page also talks to the provider: its discovery, keys and token endpoint. */
    @Inject
    @ConfigProperty(name = "oidc.issuer")
    Optional<String> issuer;

    private String policy;

    @Override
    public void init() {
        policy = issuer.map(PagesServlet::origin)
                .map(origin -> CONTENT_SECURITY_POLICY.replace("connect-src 'self'", "connect-src 'self' " + origin))
                .orElse(CONTENT_SECURITY_POLICY);
    }

    /** The scheme, host and port of {@code url}; null (nothing added) when it is not an http(s) URL. */
    static String origin(String url) {
        try {
            URI uri = new URI(url.strip());
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                return null;
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (URISyntaxException e) {
            return null;
        }
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method)) {
            String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
            String file = path.endsWith("/") ? path + "index.html" : path;
            if (isPublic(file) && exists(file)) {
                serve(request, response, path, file);
                return;
            }
        }
        throw ApiException.notFound("no such path");
    }

    private void serve(HttpServletRequest request, HttpServletResponse response, String path, String file)
            throws IOException {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        if (file.endsWith(".html")) {
            response.setHeader("Content-Security-Policy", policy);
        }
        if (!file.startsWith("/webjars/")) {
            // The pages and their scripts change with a deployment and are small: revalidated on every load (the
            // container answers 304 while unchanged), so a new page never runs an old script. A WebJar's path
            // names its version.
            response.setHeader("Cache-Control", "no-cache");
        }
        try {
            if (!file.equals(path) && request.getDispatcherType() != DispatcherType.FORWARD) {
                // "/" and "/admin/": the container's servlet serves the file of the request's path, so give it one.
                request.getRequestDispatcher(file).forward(request, response);
            } else {
                RequestDispatcher files = getServletContext().getNamedDispatcher(CONTAINER_FILES);
                if (files == null) {
                    throw new IllegalStateException("the container has no servlet named " + CONTAINER_FILES);
                }
                files.forward(request, response);
            }
        } catch (ServletException e) {
            throw new IllegalStateException("serving " + file + " failed", e);
        }
    }

    /** The WAR's pages, their files and the WebJars' files; never its configuration or classes. */
    static boolean isPublic(String file) {
        String lower = file.toLowerCase(Locale.ROOT);
        return file.startsWith("/")
                && !file.contains("..")
                && !file.contains("//")
                && !file.contains("\\")
                && !lower.startsWith("/web-inf")
                && !lower.startsWith("/meta-inf")
                && !file.endsWith("/");
    }

    private boolean exists(String file) {
        try {
            return getServletContext().getResource(file) != null;
        } catch (MalformedURLException e) {
            return false;
        }
    }
}
