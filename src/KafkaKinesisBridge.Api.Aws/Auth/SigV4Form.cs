using System.Globalization;
using System.Text;
using KafkaKinesisBridge.Api.Aws.Protocol;

namespace KafkaKinesisBridge.Api.Aws.Auth;

/// <summary>
/// The checks of a signature's form that the service makes before it looks at the signature itself,
/// with its texts (recorded by kinesalite's connection tests): both a signed header and a presigned
/// query, an <c>Authorization</c> header without Credential, Signature or SignedHeaders or without a
/// date, a presigned query without one of its parameters. Run on every request when signatures are
/// not verified, so a client with a broken signer learns it here as it would from Kinesis;
/// <see cref="SigV4Verifier"/> makes the same checks (and more) when they are.
/// </summary>
internal static class SigV4Form
{
    private static readonly string[] HeaderParameters = ["Credential", "Signature", "SignedHeaders"];
    private static readonly string[] QueryParameters = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"];

    /// <summary>The error for a malformed signature, or null (also for an unsigned request).</summary>
    public static KinesisWireError? Check(string authorization, string amzDate, string httpDate, string? rawQuery)
    {
        var query = string.IsNullOrEmpty(rawQuery) ? [] : SigV4Verifier.ParseQuery(rawQuery);
        var presigned = query.Exists(p => p.Key == "X-Amz-Algorithm");
        if (authorization.Length > 0 && presigned)
        {
            return KinesisWireErrors.InvalidSignature("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
        }

        var missing = new StringBuilder();
        if (authorization.Length > 0)
        {
            SigV4Verifier.TryParseAuthorization(authorization, out _, out var parameters);
            foreach (var name in HeaderParameters)
            {
                if (!parameters.TryGetValue(name, out var value) || value.Length == 0)
                {
                    missing.Append(CultureInfo.InvariantCulture, $"Authorization header requires '{name}' parameter. ");
                }
            }

            if (amzDate.Length == 0 && httpDate.Length == 0)
            {
                missing.Append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
            }

            return missing.Length == 0 ? null : KinesisWireErrors.IncompleteSignature(missing.Append("Authorization=").Append(authorization).ToString());
        }

        if (!presigned)
        {
            return null;
        }

        foreach (var name in QueryParameters)
        {
            if (string.IsNullOrEmpty(query.Find(p => p.Key == name).Value))
            {
                missing.Append(CultureInfo.InvariantCulture, $"AWS query-string parameters must include '{name}'. ");
            }
        }

        return missing.Length == 0 ? null : KinesisWireErrors.IncompleteSignature(missing.Append("Re-examine the query-string parameters.").ToString());
    }
}
