package io.ticketrush.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Many HTTP/1.1 connections open at the same moment: each on a socket and a thread of its own, all connected
 * before any sends, then a few keep-alive requests each, every answer read in full. For tests of what a server
 * does with a crowd of connections, which an HTTP client's pool would never open at once.
 */
public final class ManyConnections {

    private static final int TIMEOUT_MS = 60_000;
    /** Thousands of these threads run at once; each only reads and writes a socket. */
    private static final long STACK_BYTES = 256 * 1024;

    /** The raw request (head and body) connection {@code connection} sends as its {@code i}-th. */
    @FunctionalInterface
    public interface Requests {
        String request(int connection, int i);
    }

    /** One answer: its status and body. */
    public record Response(int status, String body) {}

    private ManyConnections() {}

    /**
     * Opens {@code connections} connections to 127.0.0.1:{@code port}, waits until all are open, then sends
     * {@code perConnection} requests down each, one after the other; every answer, or the failure that stopped a
     * connection (which fails the caller).
     */
    public static List<Response> exchange(int port, int connections, int perConnection, Requests requests) {
        CountDownLatch allOpen = new CountDownLatch(connections);
        List<Response> responses = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int connection = c;
            Thread thread = new Thread(
                    null,
                    () -> {
                        try (Socket socket = new Socket()) {
                            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
                            socket.setSoTimeout(TIMEOUT_MS);
                            allOpen.countDown();
                            if (!allOpen.await(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                                throw new IllegalStateException("not every connection opened in time");
                            }
                            OutputStream out = socket.getOutputStream();
                            InputStream in = new BufferedInputStream(socket.getInputStream());
                            List<Response> mine = new ArrayList<>();
                            for (int i = 0; i < perConnection; i++) {
                                out.write(requests.request(connection, i).getBytes(StandardCharsets.UTF_8));
                                out.flush();
                                mine.add(read(in));
                            }
                            synchronized (responses) {
                                responses.addAll(mine);
                            }
                        } catch (IOException | RuntimeException e) {
                            allOpen.countDown();
                            synchronized (failures) {
                                failures.add(e);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "connection-" + c,
                    STACK_BYTES);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            try {
                thread.join(2L * TIMEOUT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (!failures.isEmpty()) {
            AssertionError failed = new AssertionError(
                    failures.size() + " of " + connections + " connections failed, the first with: " + failures.get(0));
            failed.initCause(failures.get(0));
            throw failed;
        }
        return responses;
    }

    /** One response: status line, headers up to the blank line, a body of Content-Length bytes. */
    private static Response read(InputStream in) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int length = -1;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0
                    && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        if (length < 0) {
            throw new IOException("an answer without Content-Length: " + head);
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("the connection closed inside a body");
        }
        return new Response(Integer.parseInt(statusLine[1]), new String(body, StandardCharsets.UTF_8));
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before an answer's head ended: " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
