package io.queueserver.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Headless Debian Chromium driven through the Debian chromedriver (nothing is downloaded). As a JUnit extension it
 * saves a screenshot of the page under {@code target/screenshots/} when a test fails.
 */
final class Browser implements TestWatcher, AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    final ChromeDriver driver;
    private final Path profile;

    /** A browser for a test class's static extension field. */
    static Browser open() {
        try {
            return new Browser();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Browser() throws IOException {
        profile = Files.createTempDirectory(Path.of("target"), "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("chromium.binary", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver")))
                .build();
        driver = new ChromeDriver(service, options);
    }

    <T> T await(String what, Function<ChromeDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(50))
                .ignoring(StaleElementReferenceException.class)
                .withMessage(what).until(d -> condition.apply(driver));
    }

    /** Clicks until the click lands: a live re-render between finding the element and clicking it replaces it. */
    void click(By element) {
        await("a click on " + element, d -> {
            try {
                driver.findElement(element).click();
                return true;
            } catch (org.openqa.selenium.WebDriverException staleOrMissing) {
                return false;
            }
        });
    }

    /** Clicks an action until the dashboard's confirmation opens, then confirms it. */
    void confirm(By action) {
        await("the confirmation of " + action + " opens", d -> {
            if (byId("confirm").getAttribute("open") == null) {
                try {
                    driver.findElement(action).click();
                } catch (org.openqa.selenium.WebDriverException staleOrCovered) {
                    return false;
                }
            }
            return byId("confirm").getAttribute("open") != null;
        });
        byId("confirm-ok").click();
    }

    WebElement byId(String id) {
        return driver.findElement(By.id(id));
    }

    /** Read in one script: the page replaces its rows whenever something changes. */
    @SuppressWarnings("unchecked")
    List<String> rowIds() {
        return (List<String>) js("return [...document.querySelectorAll('#job-rows tr[data-id]')].map(r => r.dataset.id)");
    }

    @SuppressWarnings("unchecked")
    List<String> rowStates() {
        return (List<String>) js("return [...document.querySelectorAll('#job-rows tr[data-id]')].map(r => r.dataset.state)");
    }

    String rowState(long id) {
        return (String) js("const r = document.querySelector(\"#job-rows tr[data-id='\" + arguments[0] + \"']\");"
                + " return r ? r.dataset.state : null", String.valueOf(id));
    }

    long counter(String name) {
        String text = byId("c-" + name).getText().replace(",", "");
        return text.matches("\\d+") ? Long.parseLong(text) : -1;
    }

    Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            System.err.println("screenshot " + name + " not saved: " + e);
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        screenshot("failed-" + context.getRequiredTestMethod().getName());
    }

    @Override
    public void close() {
        driver.quit();
    }
}
