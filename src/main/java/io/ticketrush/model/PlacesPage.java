package io.ticketrush.model;

/** The most place hashes one page of a waiting room's frozen places lists: the server's cap, the verifier's page. */
public final class PlacesPage {

    public static final int MAX_COUNT = 10_000;

    private PlacesPage() {}
}
