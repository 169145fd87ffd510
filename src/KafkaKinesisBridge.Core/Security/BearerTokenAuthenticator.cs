namespace KafkaKinesisBridge.Core.Security;

/// <summary>
/// Checks the per-call credentials of a transport without signatures (gRPC): the metadata
/// <c>authorization: Bearer &lt;AccessKeyId&gt;:&lt;SecretAccessKey&gt;</c>, against the same keys
/// the Kinesis door verifies SigV4 with. Transport-neutral: the caller passes the header value and
/// maps a failure to its own status (gRPC: <see cref="AuthenticationFailure.GrpcStatusCode"/>).
/// </summary>
/// <remarks>
/// <para>The secret travels as it is, so outside loopback the connection must be TLS (as for any
/// bearer token, RFC 6750 §5.3); grpc-dotnet, grpc-java and grpc-go refuse to send call credentials
/// over a cleartext channel unless told to. The auth scheme is case-insensitive (RFC 9110 §11.1).
/// A secret may contain colons: the access key id ends at the first one.</para>
/// <para>An unknown key and a wrong secret get the same answer, so the answer does not tell which
/// keys exist; secrets are compared in constant time (<see cref="AccessPolicy.VerifySecret"/>).</para>
/// </remarks>
public sealed class BearerTokenAuthenticator
{
    /// <summary>The metadata key (gRPC metadata keys are lower case; HTTP/2 header names too).</summary>
    public const string MetadataKey = "authorization";

    /// <summary>The auth scheme.</summary>
    public const string Scheme = "Bearer";

    private static readonly AccessPrincipal Anonymous = AccessPrincipal.Unrestricted("anonymous");

    private readonly AccessPolicy _policy;

    /// <summary>An authenticator for <paramref name="policy"/>.</summary>
    public BearerTokenAuthenticator(AccessPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
    }

    /// <summary>
    /// Authenticates one call from its <c>authorization</c> metadata value (null or empty when absent).
    /// When the policy does not enforce access, every call succeeds (as the Kinesis door's
    /// <c>AcceptAny</c>), as the key it names when its secret is right, else as an unrestricted anonymous principal.
    /// </summary>
    public AuthenticationResult Authenticate(string? authorization)
    {
        var failure = TryRead(authorization, out var principal);
        if (!_policy.IsEnforced)
        {
            return AuthenticationResult.Success(principal ?? Anonymous);
        }

        return failure is null ? AuthenticationResult.Success(principal!) : AuthenticationResult.Fail(failure);
    }

    private AuthenticationFailure? TryRead(string? authorization, out AccessPrincipal? principal)
    {
        principal = null;
        var value = authorization.AsSpan().Trim();
        if (value.IsEmpty)
        {
            return AuthenticationFailure.MissingToken;
        }

        if (value.Length <= Scheme.Length || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || value[Scheme.Length] != ' ')
        {
            return AuthenticationFailure.Malformed;
        }

        var token = value[(Scheme.Length + 1)..].Trim();
        var colon = token.IndexOf(':');
        if (colon <= 0 || colon == token.Length - 1)
        {
            return AuthenticationFailure.Malformed;
        }

        principal = _policy.VerifySecret(token[..colon].ToString(), token[(colon + 1)..]);
        return principal is null ? AuthenticationFailure.UnrecognizedClient : null;
    }
}

/// <summary>Outcome of <see cref="BearerTokenAuthenticator.Authenticate"/>.</summary>
public readonly struct AuthenticationResult
{
    private AuthenticationResult(AccessPrincipal? principal, AuthenticationFailure? failure)
    {
        Principal = principal;
        Failure = failure;
    }

    /// <summary>The caller, when authenticated.</summary>
    public AccessPrincipal? Principal { get; }

    /// <summary>Why the call is refused, when it is.</summary>
    public AuthenticationFailure? Failure { get; }

    /// <summary>True when <see cref="Principal"/> is set.</summary>
    public bool IsAuthenticated => Principal is not null;

    /// <summary>An authenticated call.</summary>
    public static AuthenticationResult Success(AccessPrincipal principal) => new(principal, null);

    /// <summary>A refused call.</summary>
    public static AuthenticationResult Fail(AuthenticationFailure failure) => new(null, failure);
}

/// <summary>
/// Why authentication failed, in the Kinesis vocabulary (the <c>__type</c> the Kinesis door answers
/// for the same case), and the gRPC status to refuse the call with.
/// </summary>
/// <param name="ErrorName">The Kinesis error name (for the <c>kinesis-error-type</c> trailer).</param>
/// <param name="Message">The message (for <c>grpc-message</c>).</param>
public sealed record AuthenticationFailure(string ErrorName, string Message)
{
    /// <summary>
    /// gRPC status code UNAUTHENTICATED (16): "The request does not have valid authentication
    /// credentials for the operation" (grpc/doc/statuscodes.md). Every authentication failure uses it.
    /// </summary>
    public const int GrpcStatusCode = 16;

    /// <summary>No credentials (Kinesis answers an unsigned request the same way).</summary>
    public static AuthenticationFailure MissingToken { get; } = new("MissingAuthenticationTokenException", "Missing Authentication Token");

    /// <summary>Credentials in the wrong form.</summary>
    public static AuthenticationFailure Malformed { get; } = new(
        "IncompleteSignatureException",
        "The authorization metadata must be 'Bearer <AccessKeyId>:<SecretAccessKey>'.");

    /// <summary>An unknown access key id or a wrong secret (one answer for both).</summary>
    public static AuthenticationFailure UnrecognizedClient { get; } = new(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.");
}
