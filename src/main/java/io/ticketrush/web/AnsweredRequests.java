package io.ticketrush.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.stream.JsonGenerator;

import io.ticketrush.cluster.InstanceReport;

/** The requests this instance's servlets have answered, in its heartbeat report: the dashboard's requests a second. */
@ApplicationScoped
public class AnsweredRequests implements InstanceReport.Part {

    @Override
    public void write(JsonGenerator json) {
        json.write("requests", ApiServlet.requestsAnswered());
    }
}
