using KafkaKinesisBridge.Core.Security;

namespace KafkaKinesisBridge.Firehose;

/// <summary>
/// The access policy applied to Firehose calls (both doors meet in <see cref="FirehoseService"/>):
/// the same keys and name patterns as the Kinesis streams, matched against the delivery stream
/// name. PutRecord/PutRecordBatch write; Create, Delete, UpdateDestination and tagging administer;
/// Describe and the lists read. With the policy enforced and no authenticated caller, every call is
/// refused (fails closed), as for Kinesis.
/// </summary>
internal sealed class FirehoseAccess(AccessPolicy? policy)
{
    public void Check(string operation, AccessActions action, string? deliveryStreamName)
    {
        if (policy is not { IsEnforced: true })
        {
            return;
        }

        var principal = AccessContext.Current;
        if (principal is null)
        {
            throw Denied("anonymous", operation);
        }

        if (principal.IsUnrestricted)
        {
            return;
        }

        var allowed = deliveryStreamName is null ? principal.HasAny(action) : principal.IsAllowed(action, deliveryStreamName);
        if (!allowed)
        {
            throw Denied(principal.AccessKeyId, operation);
        }
    }

    private static FirehoseException Denied(string accessKeyId, string operation) =>
        new(FirehoseErrors.AccessDenied, $"User {accessKeyId} is not authorized to perform: firehose:{operation}");
}
