package io.ticketrush.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven through its own {@code chromedriver} (Debian's
 * {@code chromium-driver}): nothing is downloaded, and a missing one fails the test naming the package. Each
 * browser has a profile of its own under {@code target/}, deleted when it closes.
 */
public final class Browser implements AutoCloseable {

    /** Where screenshots go: kept after the run, a failing test's included. */
    public static final Path SHOTS = Path.of("target", "screenshots");

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;
    private final URI base;
    private final List<String> consoleLines = new ArrayList<>();

    /** A browser window of {@code width} × {@code height} CSS pixels, opening pages under {@code base}. */
    public Browser(URI base, int width, int height) {
        Path chromium = Binaries.require("chromium", "chromium");
        Path chromedriver = Binaries.require("chromedriver", "chromium-driver");
        this.base = base;
        try {
            Files.createDirectories(SHOTS);
            profile = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chromium-profile-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // --no-sandbox: the tests may run as root (CI does), where Chromium's sandbox refuses to start.
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--lang=en-US",
                "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", logs);
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .withLogFile(SHOTS.resolve("chromedriver.log").toFile())
                .build();
        ChromeDriver started;
        try {
            started = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteProfile();
            throw e;
        }
        driver = started;
    }

    public WebDriver driver() {
        return driver;
    }

    /** Opens {@code path} (with its query) on the cluster. */
    public Browser open(String path) {
        driver.get(base.resolve(path).toString());
        return this;
    }

    public WebElement find(String id) {
        return driver.findElement(By.id(id));
    }

    public String text(String id) {
        return find(id).getText();
    }

    public boolean shown(String id) {
        return find(id).isDisplayed();
    }

    /** Types {@code value} into the field {@code id}, replacing what it held. */
    public Browser type(String id, String value) {
        WebElement field = find(id);
        field.clear();
        field.sendKeys(value);
        return this;
    }

    public Browser click(String id) {
        waitUntil("#" + id + " can be clicked", d -> shown(id) && find(id).isEnabled());
        find(id).click();
        return this;
    }

    /** Waits up to {@code limit} for {@code condition}; the failure names {@code what} and the page's words. */
    public <T> T waitUntil(String what, Duration limit, Function<WebDriver, T> condition) {
        try {
            return new WebDriverWait(driver, limit, Duration.ofMillis(100)).until(condition);
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "waited " + limit.toSeconds() + " s for " + what + "; the page says: "
                            + driver.findElement(By.tagName("body")).getText(),
                    e);
        }
    }

    public <T> T waitUntil(String what, Function<WebDriver, T> condition) {
        return waitUntil(what, WAIT, condition);
    }

    /** Waits until element {@code id} is shown and its text contains {@code words}; answers its text. */
    public String waitForText(String id, String words) {
        return waitUntil("#" + id + " to say \"" + words + "\"", d -> {
            WebElement element = find(id);
            return element.isDisplayed() && element.getText().contains(words) ? element.getText() : null;
        });
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Saves what the window shows as {@code target/screenshots/NAME.png}; answers the file. */
    public Path screenshot(String name) {
        Path file = SHOTS.resolve(name + ".png");
        try {
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * {@link #screenshot} for the documentation: also copied to the directory the system property
     * {@code ticketrush.docs} names ({@code mvn verify -Dticketrush.docs=docs} refreshes the PNGs in docs/).
     */
    public Path documentScreenshot(String name) {
        Path file = screenshot(name);
        String docs = System.getProperty("ticketrush.docs", "");
        if (!docs.isBlank()) {
            Path dir = Path.of(System.getProperty("ticketrush.basedir", ".")).resolve(docs);
            try {
                Files.copy(file, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** A failing test's evidence: a screenshot, the page's HTML and the browser's console, under {@code name}. */
    public void keepEvidence(String name) {
        try {
            screenshot(name);
            Files.writeString(SHOTS.resolve(name + ".html"), driver.getPageSource(), StandardCharsets.UTF_8);
            Files.write(SHOTS.resolve(name + ".console.txt"), console(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // Evidence is best effort: the test's own failure is what gets reported.
        }
    }

    /** The browser console's lines so far (errors of the page's scripts among them). */
    public List<String> console() {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            consoleLines.add(entry.getLevel() + " " + entry.getMessage());
        }
        return List.copyOf(consoleLines);
    }

    /** The console lines at SEVERE: a script error, a failed load, a refused policy. */
    public List<String> consoleErrors() {
        return console().stream()
                .filter(line -> line.startsWith(Level.SEVERE.getName()))
                .toList();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteProfile();
        }
    }

    private void deleteProfile() {
        try (var files = Files.walk(profile)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // Under target/: the next clean removes what is left.
        }
    }
}
