package dev.kindling.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.nn.Module;
import dev.kindling.serving.ModelServing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard at {@code /} in a real browser: Debian's headless Chromium driven by Selenium through the system's
 * chromedriver (no download: the driver and browser paths are given, so Selenium Manager never runs). The model table
 * fills from /metrics, the try-it form returns the model's prediction, and a screenshot shows a rendered page. Skipped
 * where Chromium or chromedriver is not installed ({@code apt-get install chromium chromium-driver}); the paths can be
 * set with {@code -Dkindling.chromium=...} and {@code -Dkindling.chromedriver=...}.
 */
class DashboardBrowserTest {
    @TempDir
    Path repo;

    private static File executable(String property, String... candidates) {
        String given = System.getProperty(property);
        for (String c : given != null ? List.of(given) : List.of(candidates)) {
            File f = new File(c);
            if (f.canExecute()) return f;
        }
        return null;
    }

    @Test
    void theTableListsTheModelAndTheFormReturnsAPrediction() throws Exception {
        File chromium = executable("kindling.chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser");
        File driverBinary = executable("kindling.chromedriver", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        assumeTrue(chromium != null && driverBinary != null,
                "skipped: no Chromium or chromedriver here (apt-get install chromium chromium-driver, or -Dkindling.chromium/-Dkindling.chromedriver)");
        Module mlp = Fixture.saveMlp(repo, "mlp", "1", 51);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1000,800",
                "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driverBinary).usingAnyFreePort().build();
        try (ModelServing server = ModelServing.builder(repo).port(0).pollMillis(0).start()) {
            WebDriver browser = new ChromeDriver(service, options);
            try {
                browser.get(server.uri().toString());
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
                assertEquals("Kindling serving", browser.findElement(By.tagName("h1")).getText());
                // the table is filled from /metrics by the page's script
                List<WebElement> cells = wait.until(b -> {
                    List<WebElement> c = b.findElements(By.cssSelector("#models tbody tr td"));
                    return c.isEmpty() ? null : c;
                });
                assertEquals(List.of("mlp", "1", "yes"), cells.subList(0, 3).stream().map(WebElement::getText).toList());
                assertEquals("mlp", new Select(browser.findElement(By.id("model"))).getFirstSelectedOption().getText());

                WebElement input = browser.findElement(By.id("input"));
                input.clear();
                input.sendKeys("[1, 0, -1, 2]");
                browser.findElement(By.cssSelector("#try button[type=submit]")).click();
                String result = wait.until(b -> {
                    String t = b.findElement(By.id("result")).getText();
                    return t.isEmpty() ? null : t;
                });
                assertEquals("", browser.findElement(By.id("result")).getAttribute("class"), "not an error: " + result);
                JsonNode prediction = Fixture.JSON.readTree(result);
                assertArrayEquals(Fixture.forward(mlp, new float[] {1, 0, -1, 2}, 1, 4), Fixture.floats(prediction), 1e-6f, result);

                byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
                Path shot = Path.of("target", "dashboard.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, png);
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
                assertTrue(image.getWidth() >= 800 && image.getHeight() >= 600, image.getWidth() + "x" + image.getHeight());
                assertTrue(renderedShare(image) > 0.01, "the screenshot (" + shot.toAbsolutePath() + ") is almost blank");
                assertTrue(colours(image) >= 3, "the screenshot (" + shot.toAbsolutePath() + ") shows almost nothing");
            } finally {
                browser.quit();
            }
        }
    }

    /** The share of pixels that differ from the top-left one (the page background). */
    private static double renderedShare(BufferedImage image) {
        int background = image.getRGB(0, 0);
        long drawn = 0;
        for (int y = 0; y < image.getHeight(); y++) for (int x = 0; x < image.getWidth(); x++) if (image.getRGB(x, y) != background) drawn++;
        return drawn / (double) ((long) image.getWidth() * image.getHeight());
    }

    private static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) for (int x = 0; x < image.getWidth(); x += 2) seen.add(image.getRGB(x, y));
        return seen.size();
    }
}
