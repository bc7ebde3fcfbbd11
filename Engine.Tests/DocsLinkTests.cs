using System.Text;
using System.Text.RegularExpressions;
using SeqLearn.Tests.Optim;

namespace SeqLearn.Tests;

/// <summary>
/// Every link into the docs resolves: the README's and each docs page's relative links (<c>[text](page.md#anchor)</c>,
/// <c>[text](#anchor)</c>), and the <c>docs/page.md#anchor</c> references in the docs' prose and in the comments of
/// Engine, Engine.Cli, Engine.Benchmarks, Engine.Tests and scripts, name a file that exists and a heading (or an
/// explicit <c>{#id}</c> / <c>&lt;a id="…"&gt;</c>) in it. Headings are numbered and renamed as pages grow; this is
/// what keeps the references to them true.
/// </summary>
public partial class DocsLinkTests
{
    [GeneratedRegex(@"\]\(([^)\s]+?\.md)?(?:#([^)\s]+))?\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"(?<![\w/.])(docs/(?:[\w\-]+/)*[\w\-]+\.md)(?:#([\w\-]+))?")]
    private static partial Regex DocsReference();

    [GeneratedRegex(@"^#{1,6}\s+(.*?)\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"(?<![\w/.\-])((?:\.\./|[\w\-]+/)*[\w\-]+\.md)(?:#[\w\-]+)?\)? §(\d+(?:\.\d+)*)")]
    private static partial Regex SectionReference();

    [GeneratedRegex(@"^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s")]
    private static partial Regex NumberedHeading();

    [GeneratedRegex(@"\{#([^}]+)\}|<a id=""([^""]+)"">")]
    private static partial Regex ExplicitId();

    /// <summary>GitHub's anchor of a heading: lower case, punctuation dropped (letters, digits, '-', '_' and spaces kept), spaces to '-'.</summary>
    internal static string Slug(string heading)
    {
        var sb = new StringBuilder();
        foreach (char ch in heading.ToLowerInvariant())
            if (char.IsLetterOrDigit(ch) || ch is '-' or '_') sb.Append(ch);
            else if (ch == ' ') sb.Append('-');
        return sb.ToString();
    }

    /// <summary>The anchors of a markdown file: each heading's slug (explicit ids and inline HTML removed first) and every explicit id.</summary>
    internal static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in ExplicitId().Matches(markdown)) anchors.Add(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);
        bool fenced = false;
        foreach (string line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) fenced = !fenced;
            if (fenced) continue;
            var h = Heading().Match(line.TrimEnd('\r'));
            if (h.Success) anchors.Add(Slug(Regex.Replace(ExplicitId().Replace(h.Groups[1].Value, ""), "<[^>]+>", "").Trim()));
        }
        return anchors;
    }

    /// <summary>The section numbers of a markdown file's numbered headings ("## 5. Kernels" → 5, "### 5.3 Packing" → 5.3).</summary>
    internal static HashSet<string> SectionNumbers(string markdown)
    {
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        bool fenced = false;
        foreach (string line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) fenced = !fenced;
            if (fenced) continue;
            var h = NumberedHeading().Match(line);
            if (h.Success) numbers.Add(h.Groups[1].Value);
        }
        return numbers;
    }

    [Fact]
    public void SectionNumbers_AreTheNumberedHeadings()
    {
        var numbers = SectionNumbers("## 5. Kernels\n### 5.3 Packing\n## Notes\n```\n## 9. in a fence\n```\n#### 7.2.1 Deep\n");
        Assert.Equal(["5", "5.3", "7.2.1"], numbers.Order());
    }

    /// <summary>
    /// Every <c>page.md §N.M</c> reference (code comments: <c>docs/page.md §N</c>; docs: also a page relative to the
    /// referring one, or a markdown link followed by §N) names a page that has a heading numbered N.M. Sections are
    /// renumbered as pages grow; this keeps the references to them true, as the anchor test does for anchors.
    /// </summary>
    [Fact]
    public void EverySectionReference_NamesAnExistingNumberedHeading()
    {
        string root = RepoPaths.Root;
        var cache = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var broken = new List<string>();
        int checkedReferences = 0;
        var sources = new List<string> { Path.Combine(root, "README.md") };
        sources.AddRange(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories));
        foreach (string dir in new[] { "Engine", "Engine.Cli", "Engine.Benchmarks", "Engine.Tests", "scripts" })
            sources.AddRange(Directory.GetFiles(Path.Combine(root, dir), "*", SearchOption.AllDirectories).Where(f =>
                Path.GetExtension(f) is ".cs" or ".py" or ".sh" && Path.GetFileName(f) != nameof(DocsLinkTests) + ".cs" &&
                !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
                !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)));
        foreach (string source in sources)
            foreach (Match m in SectionReference().Matches(File.ReadAllText(source)))
            {
                checkedReferences++;
                string page = m.Groups[1].Value, section = m.Groups[2].Value;
                string where = Path.GetRelativePath(root, source);
                string target = page.StartsWith("docs/", StringComparison.Ordinal) || !source.EndsWith(".md", StringComparison.Ordinal)
                    ? Path.Combine(root, page)
                    : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, page));
                if (!File.Exists(target)) { broken.Add($"{where}: {page} §{section}: {page} does not exist"); continue; }
                if (!cache.TryGetValue(target, out var numbers)) cache[target] = numbers = SectionNumbers(File.ReadAllText(target));
                if (!numbers.Contains(section)) broken.Add($"{where}: {page} has no section {section}");
            }
        Assert.True(checkedReferences > 50, $"only {checkedReferences} section references found: the scan is not finding them");
        Assert.True(broken.Count == 0, $"{broken.Count} broken section references:\n" + string.Join("\n", broken.Distinct()));
    }

    [Fact]
    public void Slug_FollowsGitHubsRule()
    {
        Assert.Equal("5-checkpoints-and-resume", Slug("5. Checkpoints and resume"));
        Assert.Equal("72-measured-2026-12-04-amd-epyc-zen-5-2-vcpus", Slug("7.2 Measured (2026-12-04, AMD EPYC Zen 5, 2 vCPUs)"));
        Assert.Equal("the-fused-bahdanau-decoder-training", Slug("The fused Bahdanau decoder (training)"));
        Assert.Equal("horizons-and-strategies---horizon-h---strategy-recursivedirect", Slug("Horizons and strategies: `--horizon H --strategy recursive|direct`"));
        Assert.Contains("rnn", Anchors("## Recurrent classifier {#rnn}\n"));
        Assert.Contains("rnn-performance", Anchors("## <a id=\"rnn-performance\"></a>Where the time goes\n"));
        Assert.DoesNotContain("not-a-heading", Anchors("```\n# not a heading\n```\n"));
    }

    [Fact]
    public void EveryLinkIntoTheDocs_NamesAnExistingFileAndHeading()
    {
        string root = RepoPaths.Root;
        var anchorCache = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        HashSet<string> AnchorsOf(string path) =>
            anchorCache.TryGetValue(path, out var a) ? a : anchorCache[path] = Anchors(File.ReadAllText(path));
        var broken = new List<string>();
        int checkedLinks = 0;

        void Check(string source, string target, string? anchor)
        {
            checkedLinks++;
            string where = Path.GetRelativePath(root, source);
            if (!File.Exists(target)) { broken.Add($"{where}: {Path.GetRelativePath(root, target)} does not exist"); return; }
            if (anchor is not null && !AnchorsOf(target).Contains(anchor))
                broken.Add($"{where}: {Path.GetRelativePath(root, target)} has no heading #{anchor}");
        }

        var markdown = new List<string> { Path.Combine(root, "README.md") };
        markdown.AddRange(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories));
        foreach (string file in markdown)
        {
            string text = File.ReadAllText(file);
            foreach (Match m in MarkdownLink().Matches(text))
            {
                if (!m.Groups[1].Success && !m.Groups[2].Success) continue;
                if (m.Groups[1].Value.Contains("://", StringComparison.Ordinal)) continue;
                string target = m.Groups[1].Success ? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, m.Groups[1].Value)) : file;
                Check(file, target, m.Groups[2].Success ? m.Groups[2].Value : null);
            }
            foreach (Match m in DocsReference().Matches(text))
                Check(file, Path.Combine(root, m.Groups[1].Value), m.Groups[2].Success ? m.Groups[2].Value : null);
        }

        string[] codeDirs = ["Engine", "Engine.Cli", "Engine.Benchmarks", "Engine.Tests", "scripts"];
        foreach (string dir in codeDirs)
            foreach (string file in Directory.GetFiles(Path.Combine(root, dir), "*", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ||
                    file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
                if (Path.GetExtension(file) is not (".cs" or ".py" or ".sh")) continue;
                if (Path.GetFileName(file) == nameof(DocsLinkTests) + ".cs") continue;   // its examples are not links
                foreach (Match m in DocsReference().Matches(File.ReadAllText(file)))
                    Check(file, Path.Combine(root, m.Groups[1].Value), m.Groups[2].Success ? m.Groups[2].Value : null);
            }

        Assert.True(checkedLinks > 300, $"only {checkedLinks} links found: the scan is not finding them");
        Assert.True(broken.Count == 0, $"{broken.Count} broken links into the docs:\n" + string.Join("\n", broken.Distinct()));
    }
}
