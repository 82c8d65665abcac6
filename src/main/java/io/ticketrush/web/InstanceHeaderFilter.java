package io.ticketrush.web;

import java.io.IOException;

import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Names the answering instance on every response, so a client (or a load test) sees where it landed. */
@WebFilter(urlPatterns = "/*", dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.ERROR})
public class InstanceHeaderFilter extends HttpFilter {

    public static final String HEADER = "X-Instance";

    @Inject
    @ConfigProperty(name = "instance.name", defaultValue = "ticketrush")
    String instanceName;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader(HEADER, instanceName);
        chain.doFilter(request, response);
    }
}
