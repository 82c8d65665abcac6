package io.ticketrush.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PagesServletTest {

    @Test
    void servesThePagesTheirFilesAndTheWebJars() {
        for (String file : new String[] {
            "/index.html", "/admin/index.html", "/buyer.js", "/site.css", "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js"
        }) {
            assertTrue(PagesServlet.isPublic(file), file);
        }
    }

    @Test
    void neverServesTheConfigurationClassesOrADirectory() {
        for (String file : new String[] {
            "/WEB-INF/web.xml",
            "/web-inf/web.xml",
            "/WEB-INF/classes/io/ticketrush/web/Ids.class",
            "/META-INF/MANIFEST.MF",
            "/Meta-Inf/context.xml",
            "/admin/",
            "/a/../WEB-INF/web.xml",
            "//WEB-INF/web.xml",
            "/x\\..\\WEB-INF",
            "index.html"
        }) {
            assertFalse(PagesServlet.isPublic(file), file);
        }
    }
}
