using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>One step of a client scenario script: its name, outcome, duration and what it saw.</summary>
public sealed record ScenarioStep(string Name, bool Ok, long Milliseconds, JsonElement Details);

/// <summary>
/// What a scenario script in tests/interop/kinesis printed: one JSON line per step
/// (<c>{"step", "ok", "ms", "details"}</c>), then a <c>summary</c> line. Lines that are not JSON
/// objects (warnings) are ignored.
/// </summary>
public sealed class ScenarioReport
{
    private readonly ProcessResult _result;

    private ScenarioReport(ProcessResult result, Dictionary<string, ScenarioStep> steps, ScenarioStep? summary)
    {
        _result = result;
        Steps = steps;
        Summary = summary;
    }

    /// <summary>Every step by name (the summary line excluded).</summary>
    public IReadOnlyDictionary<string, ScenarioStep> Steps { get; }

    /// <summary>The closing line, or null when the script died before it.</summary>
    public ScenarioStep? Summary { get; }

    /// <summary>What the gateway logged (warnings and errors), shown when the scenario fails.</summary>
    public string GatewayOutput { get; init; } = string.Empty;

    /// <summary>Parses the standard output of a scenario run.</summary>
    public static ScenarioReport Parse(ProcessResult result, string gatewayOutput = "")
    {
        var steps = new Dictionary<string, ScenarioStep>(StringComparer.Ordinal);
        ScenarioStep? summary = null;
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var step = new ScenarioStep(
                root.GetProperty("step").GetString()!,
                root.GetProperty("ok").GetBoolean(),
                root.TryGetProperty("ms", out var ms) ? ms.GetInt64() : 0,
                root.TryGetProperty("details", out var details) ? details.Clone() : default);
            if (step.Name == "summary")
            {
                summary = step;
            }
            else
            {
                Assert.True(steps.TryAdd(step.Name, step), $"Step {step.Name} reported twice.\n{result}");
            }
        }

        return new ScenarioReport(result, steps, summary) { GatewayOutput = gatewayOutput };
    }

    /// <summary>
    /// Asserts that every one of <paramref name="expectedSteps"/> ran and passed, that no other step
    /// failed, that the script finished (summary line) and exited 0. The failure message names every
    /// failed or missing step with what it saw.
    /// </summary>
    public void AssertPassed(IEnumerable<string> expectedSteps)
    {
        var problems = new StringBuilder();
        foreach (var name in expectedSteps)
        {
            if (!Steps.TryGetValue(name, out var step))
            {
                problems.Append("step ").Append(name).AppendLine(" did not run");
            }
            else if (!step.Ok)
            {
                problems.Append("step ").Append(name).Append(" failed: ").AppendLine(step.Details.ToString());
            }
        }

        foreach (var step in Steps.Values.Where(s => !s.Ok && !expectedSteps.Contains(s.Name)))
        {
            problems.Append("step ").Append(step.Name).Append(" failed: ").AppendLine(step.Details.ToString());
        }

        if (Summary is null)
        {
            problems.AppendLine("the script did not finish (no summary line)");
        }

        if (problems.Length > 0 || _result.ExitCode != 0)
        {
            Assert.Fail($"{problems}exit code {_result.ExitCode}\n--- client stderr ---\n{Tail(_result.StandardError)}\n--- gateway ---\n{Tail(GatewayOutput)}");
        }
    }

    /// <summary>A member of a step's details (path of property names), asserting it exists.</summary>
    public JsonElement Detail(string step, params string[] path)
    {
        Assert.True(Steps.TryGetValue(step, out var found), $"step {step} did not run");
        var element = found.Details;
        foreach (var name in path)
        {
            Assert.True(element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out element), $"step {step} has no {string.Join('.', path)}: {found.Details}");
        }

        return element;
    }

    /// <summary>One line per step with its duration, for the test output.</summary>
    public string Timings() => string.Join('\n', Steps.Values.Select(s => $"{s.Name}: {(s.Ok ? "ok" : "FAILED")} {s.Milliseconds} ms"));

    private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];
}
