using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KafkaKinesisBridge.Api.Aws.Protocol;
using Microsoft.Extensions.Primitives;

namespace KafkaKinesisBridge.Api.Aws.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 (header and presigned query-string forms) the way Kinesis does.
/// </summary>
/// <remarks>
/// <para>Algorithm (AWS General Reference, "Create a signed AWS API request"): canonical request =
/// method, canonical URI, canonical query, canonical headers, signed headers, payload hash;
/// string to sign = algorithm, request date-time, credential scope, SHA-256 of the canonical
/// request; signing key = HMAC chain over "AWS4"+secret, date, region, service, "aws4_request".</para>
/// <para>Canonical URI for services other than S3: the path as sent, with dot segments and
/// repeated slashes removed, then URI-encoded once more (so <c>%20</c> on the wire becomes
/// <c>%2520</c>), as botocore's <c>SigV4Auth._normalize_url_path</c> signs it. Canonical query: each
/// name and value decoded and re-encoded with the SigV4 rules (unreserved characters
/// <c>A-Za-z0-9-._~</c> kept, everything else <c>%XX</c>), sorted by name then value. Header values:
/// trimmed, runs of spaces collapsed, repeated headers joined with commas. Payload hash: the
/// <c>x-amz-content-sha256</c> header when present (and then it must match the body), else the
/// SHA-256 of the body.</para>
/// <para>Errors and texts as Kinesis gives them (see <see cref="KinesisWireErrors"/>).</para>
/// </remarks>
public sealed class SigV4Verifier
{
    /// <summary>The only algorithm Kinesis accepts.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The signing name of Kinesis Data Streams.</summary>
    public const string KinesisService = "kinesis";

    private const string Terminator = "aws4_request";
    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    private readonly IReadOnlyDictionary<string, string> _secrets;
    private readonly string _region;
    private readonly string _service;
    private readonly TimeSpan _allowedSkew;
    private readonly TimeProvider _clock;

    /// <summary>A verifier for <paramref name="service"/> in <paramref name="region"/>.</summary>
    /// <param name="secrets">Secret access key by access key id.</param>
    /// <param name="region">The region signatures must be scoped to.</param>
    /// <param name="service">The signing name (<see cref="KinesisService"/>).</param>
    /// <param name="allowedSkew">How far the request date may be from now (5 minutes for Kinesis).</param>
    /// <param name="clock">The clock.</param>
    public SigV4Verifier(IReadOnlyDictionary<string, string> secrets, string region, string service, TimeSpan allowedSkew, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentNullException.ThrowIfNull(clock);
        _secrets = secrets;
        _region = region;
        _service = service;
        _allowedSkew = allowedSkew;
        _clock = clock;
    }

    /// <summary>A verifier for <paramref name="service"/> with the given keys (access key id, secret).</summary>
    public static SigV4Verifier Create(IEnumerable<KeyValuePair<string, string>> credentials, string region, string service, TimeSpan allowedSkew, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var secrets = credentials.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        return new SigV4Verifier(secrets, region, service, allowedSkew, clock);
    }

    /// <summary>
    /// The access key id a request claims (Authorization header or X-Amz-Credential), without
    /// verifying anything: the principal in <see cref="KinesisAuthMode.AcceptAny"/> mode.
    /// </summary>
    public static string? ReadClaimedAccessKeyId(SigV4Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadClaimedAccessKeyId(request.Headers.Authorization.ToString(), request.RawQuery);
    }

    /// <summary>The claimed access key id from an Authorization header value or a raw query string (cheap: no full parse).</summary>
    public static string? ReadClaimedAccessKeyId(string? authorization, string? rawQuery)
    {
        if (!string.IsNullOrEmpty(authorization))
        {
            var at = authorization.IndexOf("Credential=", StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            var credential = authorization.AsSpan(at + "Credential=".Length);
            var end = credential.IndexOfAny('/', ',', ' ');
            var key = end < 0 ? credential : credential[..end];
            return key.IsEmpty ? null : key.ToString();
        }

        if (!string.IsNullOrEmpty(rawQuery) && rawQuery.Contains("X-Amz-Credential=", StringComparison.Ordinal))
        {
            foreach (var (name, value) in ParseQuery(rawQuery))
            {
                if (name == "X-Amz-Credential")
                {
                    var slash = value.IndexOf('/', StringComparison.Ordinal);
                    return slash > 0 ? value[..slash] : value;
                }
            }
        }

        return null;
    }

    /// <summary>Verifies the signature of <paramref name="request"/>.</summary>
    public SigV4Result Verify(SigV4Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        var query = string.IsNullOrEmpty(request.RawQuery) ? [] : ParseQuery(request.RawQuery);
        var presigned = query.Any(p => p.Key == "X-Amz-Algorithm");
        if (authorization.Length > 0 && presigned)
        {
            return Fail(KinesisWireErrors.InvalidSignature("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."));
        }

        if (authorization.Length == 0 && !presigned)
        {
            return Fail(KinesisWireErrors.MissingAuthenticationToken);
        }

        return authorization.Length > 0 ? VerifyHeader(request, authorization, query) : VerifyPresigned(request, query);
    }

    private SigV4Result VerifyHeader(SigV4Request request, string authorization, List<KeyValuePair<string, string>> query)
    {
        TryParseAuthorization(authorization, out var algorithm, out var parameters);
        var missing = new StringBuilder();
        foreach (var name in (ReadOnlySpan<string>)["Credential", "Signature", "SignedHeaders"])
        {
            if (!parameters.TryGetValue(name, out var value) || value.Length == 0)
            {
                missing.Append(CultureInfo.InvariantCulture, $"Authorization header requires '{name}' parameter. ");
            }
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        var httpDate = request.Headers.Date.ToString();
        if (amzDate.Length == 0 && httpDate.Length == 0)
        {
            missing.Append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        }

        if (missing.Length > 0)
        {
            return Fail(KinesisWireErrors.IncompleteSignature(missing.Append("Authorization=").Append(authorization).ToString()));
        }

        if (!string.Equals(algorithm, Algorithm, StringComparison.Ordinal))
        {
            return Fail(KinesisWireErrors.IncompleteSignature($"Unsupported AWS 'algorithm': '{algorithm}'."));
        }

        DateTimeOffset requestTime;
        string timestamp;
        if (amzDate.Length > 0)
        {
            if (!DateTimeOffset.TryParseExact(amzDate, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out requestTime))
            {
                return Fail(KinesisWireErrors.IncompleteSignature($"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601"));
            }

            timestamp = amzDate;
        }
        else
        {
            if (!DateTimeOffset.TryParse(httpDate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out requestTime))
            {
                return Fail(KinesisWireErrors.IncompleteSignature($"Date must be in RFC 1123 format. Got '{httpDate}'."));
            }

            timestamp = requestTime.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);
        }

        var signedHeaders = parameters["SignedHeaders"].Split(';');
        var signature = parameters["Signature"];
        return VerifyCore(request, parameters["Credential"], timestamp, requestTime, TimeSpan.Zero, signedHeaders, signature, query, presigned: false, authorization);
    }

    private SigV4Result VerifyPresigned(SigV4Request request, List<KeyValuePair<string, string>> query)
    {
        string? Get(string name) => query.FirstOrDefault(p => p.Key == name).Value;
        var missing = new StringBuilder();
        foreach (var name in (ReadOnlySpan<string>)["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"])
        {
            if (string.IsNullOrEmpty(Get(name)))
            {
                missing.Append(CultureInfo.InvariantCulture, $"AWS query-string parameters must include '{name}'. ");
            }
        }

        if (missing.Length > 0)
        {
            return Fail(KinesisWireErrors.IncompleteSignature(missing.Append("Re-examine the query-string parameters.").ToString()));
        }

        var algorithm = Get("X-Amz-Algorithm")!;
        if (!string.Equals(algorithm, Algorithm, StringComparison.Ordinal))
        {
            return Fail(KinesisWireErrors.IncompleteSignature($"Unsupported AWS 'algorithm': '{algorithm}'."));
        }

        var amzDate = Get("X-Amz-Date")!;
        if (!DateTimeOffset.TryParseExact(amzDate, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var requestTime))
        {
            return Fail(KinesisWireErrors.IncompleteSignature($"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601"));
        }

        var expires = TimeSpan.Zero;
        var expiresText = Get("X-Amz-Expires");
        if (!string.IsNullOrEmpty(expiresText))
        {
            if (!int.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 604800)
            {
                return Fail(KinesisWireErrors.IncompleteSignature($"X-Amz-Expires must be a number of seconds up to 604800, not '{expiresText}'."));
            }

            expires = TimeSpan.FromSeconds(seconds);
        }

        return VerifyCore(request, Get("X-Amz-Credential")!, amzDate, requestTime, expires, Get("X-Amz-SignedHeaders")!.Split(';'), Get("X-Amz-Signature")!, query, presigned: true, authorization: null);
    }

    private SigV4Result VerifyCore(
        SigV4Request request,
        string credential,
        string timestamp,
        DateTimeOffset requestTime,
        TimeSpan expires,
        string[] signedHeaders,
        string signature,
        List<KeyValuePair<string, string>> query,
        bool presigned,
        string? authorization)
    {
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[0].Length == 0)
        {
            var where = authorization is null ? "Re-examine the query-string parameters." : "Authorization=" + authorization;
            return Fail(KinesisWireErrors.IncompleteSignature($"Credential must have the form '<access key id>/<date>/<region>/<service>/aws4_request'. {where}"));
        }

        var (accessKeyId, scopeDate, scopeRegion, scopeService, terminator) = (scope[0], scope[1], scope[2], scope[3], scope[4]);
        var date = timestamp[..8];
        if (!string.Equals(scopeDate, date, StringComparison.Ordinal))
        {
            return Fail(KinesisWireErrors.InvalidSignature(
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scopeDate}' != '{date}', from '{timestamp}'."));
        }

        if (!string.Equals(terminator, Terminator, StringComparison.Ordinal))
        {
            return Fail(KinesisWireErrors.InvalidSignature($"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "));
        }

        if (!string.Equals(scopeService, _service, StringComparison.Ordinal))
        {
            return Fail(KinesisWireErrors.InvalidSignature($"Credential should be scoped to correct service: '{_service}'. "));
        }

        if (!string.Equals(scopeRegion, _region, StringComparison.Ordinal))
        {
            return Fail(KinesisWireErrors.InvalidSignature($"Credential should be scoped to a valid region, not '{scopeRegion}'. "));
        }

        var now = _clock.GetUtcNow();
        var earliest = now - _allowedSkew - expires;
        var latest = now + _allowedSkew;
        if (requestTime < earliest)
        {
            return Fail(KinesisWireErrors.InvalidSignature(
                $"Signature expired: {timestamp} is now earlier than {Format(earliest)} ({Format(now)} - {Minutes(_allowedSkew + expires)} min.)"));
        }

        if (requestTime > latest)
        {
            return Fail(KinesisWireErrors.InvalidSignature(
                $"Signature not yet current: {timestamp} is still later than {Format(latest)} ({Format(now)} + {Minutes(_allowedSkew)} min.)"));
        }

        if (!_secrets.TryGetValue(accessKeyId, out var secret))
        {
            return Fail(KinesisWireErrors.UnrecognizedClient);
        }

        var payloadHash = request.Headers["x-amz-content-sha256"].ToString();
        if (payloadHash.Length == 0)
        {
            payloadHash = Convert.ToHexStringLower(SHA256.HashData(request.Body.Span));
        }
        else if (payloadHash.Length == 64
            && !string.Equals(payloadHash, Convert.ToHexStringLower(SHA256.HashData(request.Body.Span)), StringComparison.OrdinalIgnoreCase))
        {
            // The signature covers the declared hash, so it must be the body's (else the body is not signed at all).
            return Fail(KinesisWireErrors.InvalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed."));
        }

        var canonicalRequest = BuildCanonicalRequest(request.Method, request.RawPath, query, signedHeaders, name => HeaderValue(request.Headers, name), payloadHash, presigned);
        var credentialScope = $"{scopeDate}/{scopeRegion}/{scopeService}/{Terminator}";
        var stringToSign = BuildStringToSign(timestamp, credentialScope, canonicalRequest);
        var expected = ComputeSignature(secret, scopeDate, scopeRegion, scopeService, stringToSign);

        if (!SignatureEquals(expected, signature))
        {
            return Fail(KinesisWireErrors.InvalidSignature(
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                + $"The Canonical String for this request should have been\n'{canonicalRequest}'\n\n"
                + $"The String-to-Sign should have been\n'{stringToSign}'\n"));
        }

        return SigV4Result.Success(accessKeyId);
    }

    /// <summary>The canonical request (SigV4 task 1).</summary>
    internal static string BuildCanonicalRequest(
        string method,
        string rawPath,
        IReadOnlyList<KeyValuePair<string, string>> query,
        IReadOnlyList<string> signedHeaders,
        Func<string, StringValues> header,
        string payloadHash,
        bool presigned)
    {
        var builder = new StringBuilder(256);
        builder.Append(method.ToUpperInvariant()).Append('\n');
        builder.Append(CanonicalUri(rawPath)).Append('\n');
        builder.Append(CanonicalQuery(query, presigned)).Append('\n');
        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':');
            var values = header(name);
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(',');
                }

                AppendTrimmed(builder, values[i]);
            }

            builder.Append('\n');
        }

        builder.Append('\n');
        builder.Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(payloadHash);
        return builder.ToString();
    }

    /// <summary>The string to sign (SigV4 task 2).</summary>
    internal static string BuildStringToSign(string timestamp, string credentialScope, string canonicalRequest) =>
        $"{Algorithm}\n{timestamp}\n{credentialScope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary>The signature (SigV4 tasks 3 and 4), lowercase hex.</summary>
    internal static string ComputeSignature(string secret, string date, string region, string service, string stringToSign)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Terminator));
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>The canonical URI of a raw path (non-S3 rules: normalized, then encoded once more).</summary>
    internal static string CanonicalUri(string rawPath)
    {
        if (string.IsNullOrEmpty(rawPath))
        {
            return "/";
        }

        // RFC 3986 §5.2.4 dot-segment removal; AWS also drops empty segments (repeated slashes).
        var output = new List<string>();
        foreach (var segment in rawPath.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (output.Count > 0)
                {
                    output.RemoveAt(output.Count - 1);
                }

                continue;
            }

            output.Add(segment);
        }

        var normalized = (rawPath[0] == '/' ? "/" : string.Empty)
            + string.Join('/', output)
            + (rawPath[^1] == '/' && output.Count > 0 ? "/" : string.Empty);
        return UriEncode(normalized, keepSlash: true);
    }

    /// <summary>The canonical query string of decoded name/value pairs.</summary>
    internal static string CanonicalQuery(IReadOnlyList<KeyValuePair<string, string>> query, bool excludeSignature)
    {
        var encoded = new List<(string Key, string Value)>(query.Count);
        foreach (var (key, value) in query)
        {
            if (excludeSignature && key == "X-Amz-Signature")
            {
                continue;
            }

            encoded.Add((UriEncode(key, keepSlash: false), UriEncode(value, keepSlash: false)));
        }

        encoded.Sort(static (a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', encoded.Select(p => p.Key + "=" + p.Value));
    }

    /// <summary>Splits a raw query string into decoded name/value pairs ('+' stays '+').</summary>
    internal static List<KeyValuePair<string, string>> ParseQuery(string rawQuery)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in rawQuery.Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? string.Empty : part[(equals + 1)..];
            pairs.Add(KeyValuePair.Create(PercentDecode(key), PercentDecode(value)));
        }

        return pairs;
    }

    /// <summary>SigV4 URI encoding: unreserved characters kept, every other UTF-8 byte as %XX (uppercase).</summary>
    internal static string UriEncode(string value, bool keepSlash)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~'
                || (keepSlash && b == (byte)'/'))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(((int)b).ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string PercentDecode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length
                && byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var decoded))
            {
                bytes.Add(decoded);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static StringValues HeaderValue(Microsoft.AspNetCore.Http.IHeaderDictionary headers, string name)
    {
        // Over HTTP/2 the AWS SDK for JavaScript v3 signs the ":authority" pseudo-header, which
        // Kestrel exposes as Host (RFC 9113 §8.3.1: :authority replaces Host).
        if (name == ":authority" && !headers.ContainsKey(name))
        {
            return headers.Host;
        }

        return headers[name];
    }

    internal static void TryParseAuthorization(string authorization, out string algorithm, out Dictionary<string, string> parameters)
    {
        // "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." (separators: ',' and ' ').
        parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var trimmed = authorization.Trim();
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        algorithm = space < 0 ? trimmed : trimmed[..space];
        if (space < 0)
        {
            return;
        }

        foreach (var part in trimmed[(space + 1)..].Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parameters[part[..equals]] = part[(equals + 1)..];
            }
        }
    }

    private static void AppendTrimmed(StringBuilder builder, string? value)
    {
        // Trimall: trim, and collapse runs of spaces to one (SigV4 canonical headers).
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var span = value.AsSpan().Trim();
        var previousSpace = false;
        foreach (var c in span)
        {
            var isSpace = c == ' ' || c == '\t';
            if (isSpace && previousSpace)
            {
                continue;
            }

            builder.Append(isSpace ? ' ' : c);
            previousSpace = isSpace;
        }
    }

    private static bool SignatureEquals(string expectedHex, string providedHex)
    {
        if (providedHex.Length != expectedHex.Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        Span<byte> provided = stackalloc byte[32];
        return Convert.FromHexString(expectedHex, expected, out _, out _) == System.Buffers.OperationStatus.Done
            && Convert.FromHexString(providedHex, provided, out _, out _) == System.Buffers.OperationStatus.Done
            && CryptographicOperations.FixedTimeEquals(expected, provided);
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    private static string Minutes(TimeSpan value) => ((long)value.TotalMinutes).ToString(CultureInfo.InvariantCulture);

    private static SigV4Result Fail(KinesisWireError error) => SigV4Result.Failure(error);
}
