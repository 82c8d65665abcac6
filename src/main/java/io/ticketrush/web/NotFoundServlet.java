package io.ticketrush.web;

import java.io.IOException;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Answers every path no other servlet serves, so an unknown path gets JSON rather than an HTML page. */
@WebServlet("/")
public class NotFoundServlet extends ApiServlet {

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) {
        throw ApiException.notFound("no such path");
    }
}
