package io.ticketrush.web;

import io.ticketrush.cluster.InstanceReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.stream.JsonGenerator;

/** The requests this instance's servlets have answered, in its heartbeat report: the dashboard's requests a second. */
@ApplicationScoped
public class AnsweredRequests implements InstanceReport.Part {

    @Override
    public void write(JsonGenerator json) {
        json.write("requests", ApiServlet.requestsAnswered());
    }
}
