//! AWS: accounts, IAM and federated users, roles, AWS managed and customer managed policies, resources,
//! and the action catalogue of the services most requests touch.
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use super::{
    action_json, action_type, identity_json, people_upns, resource_json, service_json, system_json,
    AuthSystem, Cloud, Collecting, Collection,
};

/// Real AWS action names by service, with the resource types they apply to.
const CATALOGUE: &[(&str, &[&str], &str)] = &[
    ("s3", &["bucket", "object"], "AbortMultipartUpload CreateBucket DeleteBucket DeleteBucketPolicy DeleteObject DeleteObjectVersion DeleteObjectTagging GetBucketAcl GetBucketLocation GetBucketPolicy GetBucketTagging GetBucketVersioning GetEncryptionConfiguration GetLifecycleConfiguration GetObject GetObjectAcl GetObjectTagging GetObjectVersion ListAllMyBuckets ListBucket ListBucketVersions ListMultipartUploadParts PutBucketAcl PutBucketPolicy PutBucketTagging PutBucketVersioning PutEncryptionConfiguration PutLifecycleConfiguration PutObject PutObjectAcl PutObjectTagging RestoreObject ReplicateObject PutBucketPublicAccessBlock GetBucketPublicAccessBlock"),
    ("ec2", &["instance", "volume", "security-group", "vpc", "subnet"], "AllocateAddress AssociateAddress AttachVolume AuthorizeSecurityGroupEgress AuthorizeSecurityGroupIngress CopyImage CopySnapshot CreateImage CreateKeyPair CreateRoute CreateRouteTable CreateSecurityGroup CreateSnapshot CreateSubnet CreateTags CreateVolume CreateVpc DeleteKeyPair DeleteRoute DeleteRouteTable DeleteSecurityGroup DeleteSnapshot DeleteSubnet DeleteTags DeleteVolume DeleteVpc DeregisterImage DescribeAddresses DescribeImages DescribeInstances DescribeInstanceStatus DescribeKeyPairs DescribeRegions DescribeRouteTables DescribeSecurityGroups DescribeSnapshots DescribeSubnets DescribeVolumes DescribeVpcs DetachVolume GetConsoleOutput GetPasswordData ModifyInstanceAttribute ModifyVolume RebootInstances ReleaseAddress RevokeSecurityGroupEgress RevokeSecurityGroupIngress RunInstances StartInstances StopInstances TerminateInstances"),
    ("iam", &["user", "role", "group", "policy"], "AddUserToGroup AttachGroupPolicy AttachRolePolicy AttachUserPolicy CreateAccessKey CreateGroup CreatePolicy CreatePolicyVersion CreateRole CreateUser DeleteAccessKey DeleteGroup DeletePolicy DeleteRole DeleteRolePolicy DeleteUser DetachGroupPolicy DetachRolePolicy DetachUserPolicy GetAccountAuthorizationDetails GetGroup GetPolicy GetPolicyVersion GetRole GetRolePolicy GetUser ListAccessKeys ListAttachedRolePolicies ListAttachedUserPolicies ListGroups ListPolicies ListRoles ListUsers PassRole PutRolePolicy PutUserPolicy RemoveUserFromGroup UpdateAssumeRolePolicy UpdateRole UpdateUser"),
    ("lambda", &["function", "event-source-mapping"], "AddPermission CreateFunction CreateEventSourceMapping DeleteFunction DeleteEventSourceMapping GetFunction GetFunctionConfiguration GetPolicy InvokeFunction ListFunctions ListVersionsByFunction PublishVersion RemovePermission UpdateFunctionCode UpdateFunctionConfiguration TagResource UntagResource ListTags"),
    ("dynamodb", &["table", "backup"], "BatchGetItem BatchWriteItem CreateBackup CreateTable DeleteBackup DeleteItem DeleteTable DescribeBackup DescribeTable GetItem ListBackups ListTables PutItem Query RestoreTableFromBackup Scan UpdateItem UpdateTable"),
    ("rds", &["db", "cluster", "snapshot"], "CreateDBCluster CreateDBInstance CreateDBSnapshot DeleteDBCluster DeleteDBInstance DeleteDBSnapshot DescribeDBClusters DescribeDBInstances DescribeDBSnapshots ModifyDBCluster ModifyDBInstance RebootDBInstance RestoreDBInstanceFromDBSnapshot StartDBInstance StopDBInstance AddTagsToResource ListTagsForResource"),
    ("kms", &["key", "alias"], "CreateGrant CreateKey Decrypt DescribeKey DisableKey Encrypt GenerateDataKey GetKeyPolicy ListAliases ListKeys PutKeyPolicy ReEncryptFrom RevokeGrant ScheduleKeyDeletion EnableKeyRotation"),
    ("sts", &["role", "user"], "AssumeRole AssumeRoleWithSAML AssumeRoleWithWebIdentity GetCallerIdentity GetSessionToken GetFederationToken"),
    ("cloudwatch", &["alarm", "dashboard"], "DeleteAlarms DeleteDashboards DescribeAlarms GetMetricData GetMetricStatistics ListMetrics PutDashboard PutMetricAlarm PutMetricData SetAlarmState"),
    ("logs", &["log-group", "log-stream"], "CreateLogGroup CreateLogStream DeleteLogGroup DeleteLogStream DescribeLogGroups DescribeLogStreams FilterLogEvents GetLogEvents PutLogEvents PutRetentionPolicy"),
    ("sns", &["topic"], "CreateTopic DeleteTopic GetTopicAttributes ListSubscriptions ListTopics Publish SetTopicAttributes Subscribe Unsubscribe"),
    ("sqs", &["queue"], "CreateQueue DeleteMessage DeleteQueue GetQueueAttributes GetQueueUrl ListQueues PurgeQueue ReceiveMessage SendMessage SetQueueAttributes"),
    ("secretsmanager", &["secret"], "CreateSecret DeleteSecret DescribeSecret GetSecretValue ListSecrets PutSecretValue RotateSecret UpdateSecret"),
    ("cloudtrail", &["trail"], "CreateTrail DeleteTrail DescribeTrails GetTrailStatus LookupEvents StartLogging StopLogging UpdateTrail"),
    ("eks", &["cluster", "nodegroup"], "CreateCluster CreateNodegroup DeleteCluster DeleteNodegroup DescribeCluster DescribeNodegroup ListClusters ListNodegroups UpdateClusterConfig UpdateNodegroupConfig"),
    ("ecr", &["repository"], "BatchGetImage CreateRepository DeleteRepository DescribeImages DescribeRepositories GetAuthorizationToken GetDownloadUrlForLayer InitiateLayerUpload PutImage ListImages"),
];

/// Writes that change who can do what, or expose secrets, are high severity beside every delete.
fn severity(service: &str, action: &str, kind: Option<&str>) -> &'static str {
    let risky_prefixes = [
        "Put",
        "Attach",
        "Create",
        "Update",
        "Add",
        "Pass",
        "Assume",
        "Authorize",
        "Modify",
        "Disable",
        "Stop",
    ];
    let high = kind == Some("delete")
        || ((service == "iam" || service == "kms" || service == "sts")
            && kind.is_none()
            && risky_prefixes.iter().any(|p| action.starts_with(p)))
        || action.ends_with("Policy") && kind.is_none()
        || matches!(
            action,
            "GetSecretValue"
                | "GetPasswordData"
                | "Decrypt"
                | "ModifyInstanceAttribute"
                | "StopLogging"
                | "CreateAccessKey"
                | "PutBucketAcl"
                | "PutObjectAcl"
        );
    if high {
        "high"
    } else {
        "normal"
    }
}

/// The action catalogue, shared by every AWS system.
pub fn catalogue() -> (Arc<Collection>, Arc<Collection>) {
    static CACHE: OnceLock<(Arc<Collection>, Arc<Collection>)> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            let mut actions = Collection::default();
            let mut services = Collection::default();
            for (service, types, names) in CATALOGUE {
                services.push(service_json(service));
                for name in names.split_whitespace() {
                    let kind = action_type(name);
                    // The docs' example: ec2:DeleteRoute applies to route tables and prefix lists.
                    let types: &[&str] = if *service == "ec2" && name.contains("Route") {
                        &["route-table", "prefix-list"]
                    } else {
                        types
                    };
                    actions.push(action_json(
                        Cloud::Aws,
                        &format!("{service}:{name}"),
                        service,
                        types,
                        severity(service, name, kind),
                        kind,
                    ));
                }
            }
            (Arc::new(actions), Arc::new(services))
        })
        .clone()
}

const MANAGED_POLICIES: &[&str] = &[
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "SecurityAudit",
    "IAMFullAccess",
    "IAMReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonEC2FullAccess",
    "AmazonEC2ReadOnlyAccess",
    "AmazonRDSFullAccess",
    "AmazonRDSReadOnlyAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "AWSLambda_FullAccess",
    "AWSLambda_ReadOnlyAccess",
    "CloudWatchFullAccess",
    "CloudWatchReadOnlyAccess",
    "CloudWatchLogsReadOnlyAccess",
    "AmazonVPCFullAccess",
    "AmazonVPCReadOnlyAccess",
    "AWSCloudTrail_ReadOnlyAccess",
    "AmazonSQSFullAccess",
    "AmazonSNSFullAccess",
    "SecretsManagerReadWrite",
    "AWSKeyManagementServicePowerUser",
    "AmazonEKSClusterPolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AWSBillingReadOnlyAccess",
    "job-function/Billing",
    "job-function/DatabaseAdministrator",
    "job-function/NetworkAdministrator",
    "job-function/SystemAdministrator",
    "job-function/ViewOnlyAccess",
    "service-role/AWSLambdaBasicExecutionRole",
];

fn policy(arn: &str, name: &str, kind: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.awsPolicy",
        "id": crate::util::graph_id_padded(arn),
        "externalId": arn,
        "displayName": name,
        "awsPolicyType": kind,
    })
}

fn aws_source(account: &str) -> Value {
    json!({ "@odata.type": "#microsoft.graph.awsSource", "accountId": account, "identityProviderType": "aws" })
}

fn user(account: &str, name: &str) -> Value {
    identity_json(
        "awsUser",
        &format!("arn:aws:iam::{account}:user/{name}"),
        name,
        aws_source(account),
    )
}

fn role(account: &str, name: &str, role_type: &str, trust: &str) -> Value {
    let mut v = identity_json(
        "awsRole",
        &format!("arn:aws:iam::{account}:role/{name}"),
        name,
        aws_source(account),
    );
    v["roleType"] = json!(role_type);
    v["trustEntityType"] = json!(trust);
    v
}

struct Spec {
    account: &'static str,
    name: &'static str,
    collecting: Collecting,
    iam_users: &'static [&'static str],
    /// Name, roleType, trustEntityType (a comma-separated flags value).
    roles: &'static [(&'static str, &'static str, &'static str)],
    custom_policies: &'static [&'static str],
    buckets: &'static [&'static str],
    federated_users: bool,
}

const SPECS: &[Spec] = &[
    Spec {
        account: "956987887735",
        name: "development",
        collecting: Collecting::Yes("online", "enabled", Duration::hours(3)),
        iam_users: &["bob", "carol", "ci-deployer", "terraform"],
        roles: &[
            ("saml-user", "custom", "sso"),
            ("ck-saml-power-user", "custom", "sso,crossAccount"),
            ("OrganizationAccountAccessRole", "custom", "crossAccount"),
            ("ReadOnlyAuditor", "custom", "sso"),
            ("github-actions-deploy", "custom", "webIdentity"),
            ("lambda-exec-orders", "custom", "service"),
            ("AWSServiceRoleForSupport", "system", "service"),
            ("AWSServiceRoleForTrustedAdvisor", "system", "service"),
        ],
        custom_policies: &[
            "AddUserToGroup",
            "ProdDataBucketsReadWrite",
            "ListAllBuckets",
            "DeveloperPermissionsBoundary",
            "CIDeployPipeline",
        ],
        buckets: &[
            "contoso-dev-artifacts",
            "contoso-dev-logs",
            "contoso-orders-data",
        ],
        federated_users: true,
    },
    Spec {
        account: "377596131774",
        name: "staging",
        collecting: Collecting::Yes("offline", "enabled", Duration::days(9)),
        iam_users: &["bob", "release-bot"],
        roles: &[
            ("saml-user", "custom", "sso"),
            ("ck-saml-power-user", "custom", "sso,crossAccount"),
            ("AWSServiceRoleForSupport", "system", "service"),
        ],
        custom_policies: &["StagingDeploy", "StagingBucketsReadOnly"],
        buckets: &["contoso-staging-artifacts"],
        federated_users: true,
    },
    Spec {
        account: "123456789012",
        name: "sandbox",
        collecting: Collecting::Yes("online", "notConfigured", Duration::hours(5)),
        iam_users: &["bob", "alice"],
        roles: &[
            ("servicerole1", "system", "service"),
            ("customrole1", "custom", "sso,crossAccount"),
        ],
        custom_policies: &["SandboxFullAccess"],
        buckets: &["testbucket"],
        federated_users: true,
    },
    Spec {
        account: "210987654321",
        name: "legacy-cloud-billing",
        collecting: Collecting::No,
        iam_users: &["billing-exporter"],
        roles: &[("BillingReadOnly", "custom", "sso")],
        custom_policies: &["BillingExport"],
        buckets: &["contoso-billing-reports"],
        federated_users: false,
    },
];

pub fn systems(now: OffsetDateTime) -> Vec<AuthSystem> {
    let (actions, services) = catalogue();
    SPECS
        .iter()
        .map(|s| {
            let mut identities = Collection::default();
            let mut assumable: HashMap<String, Vec<String>> = HashMap::new();
            let sso_roles: Vec<String> = s
                .roles
                .iter()
                .filter(|(_, _, trust)| trust.contains("sso"))
                .map(|(n, _, _)| format!("arn:aws:iam::{}:role/{n}", s.account))
                .collect();
            for u in s.iam_users {
                let v = user(s.account, u);
                if let Some(id) = v["id"].as_str() {
                    assumable.insert(
                        crate::util::id_key(id),
                        sso_roles.iter().take(1).cloned().collect(),
                    );
                }
                identities.push(v);
            }
            if s.federated_users {
                // SAML users appear with the `rsn:` prefix the docs describe for SAML and ED users.
                for (upn, name) in people_upns() {
                    let v = identity_json(
                        "awsUser",
                        &format!("rsn:{upn}"),
                        name,
                        super::aad_source("contoso.com"),
                    );
                    if let Some(id) = v["id"].as_str() {
                        assumable.insert(crate::util::id_key(id), sso_roles.clone());
                    }
                    identities.push(v);
                }
            }
            for (n, t, trust) in s.roles {
                identities.push(role(s.account, n, t, trust));
            }
            let mut policies: Collection = MANAGED_POLICIES
                .iter()
                .map(|p| {
                    let name = p.rsplit('/').next().unwrap_or(p);
                    policy(&format!("arn:aws:iam::aws:policy/{p}"), name, "system")
                })
                .collect();
            for p in s.custom_policies {
                policies.push(policy(
                    &format!("arn:aws:iam::{}:policy/{p}", s.account),
                    p,
                    "custom",
                ));
            }
            let mut resources = Collection::default();
            for b in s.buckets {
                resources.push(resource_json(
                    Cloud::Aws,
                    &format!("arn:aws:s3:::{b}"),
                    b,
                    "bucket",
                    "s3",
                ));
            }
            for (i, name) in ["web-01", "web-02", "batch-worker"].iter().enumerate() {
                let ext = format!(
                    "arn:aws:ec2:us-east-1:{}:instance/i-0{:016x}",
                    s.account,
                    0x5eed_0000 + i
                );
                resources.push(resource_json(Cloud::Aws, &ext, name, "instance", "ec2"));
            }
            resources.push(resource_json(
                Cloud::Aws,
                &format!("arn:aws:dynamodb:us-east-1:{}:table/orders", s.account),
                "orders",
                "table",
                "dynamodb",
            ));
            resources.push(resource_json(
                Cloud::Aws,
                &format!("arn:aws:lambda:us-east-1:{}:function:orders-api", s.account),
                "orders-api",
                "function",
                "lambda",
            ));
            AuthSystem {
                cloud: Cloud::Aws,
                id: crate::util::graph_id_unpadded(s.account),
                authorization_system_id: s.account.to_string(),
                json: system_json(Cloud::Aws, s.account, s.name, s.collecting, now),
                identities,
                actions: actions.clone(),
                services: services.clone(),
                policies,
                resources,
                role_definitions: Collection::default(),
                roles: Collection::default(),
                assumable_roles: assumable,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_hundreds_of_actions_with_both_severities_and_every_type() {
        let (actions, services) = catalogue();
        assert!(actions.items.len() >= 250, "{}", actions.items.len());
        assert_eq!(services.items.len(), CATALOGUE.len());
        let count = |k: &str, v: Value| actions.items.iter().filter(|a| a[k] == v).count();
        assert!(count("severity", json!("high")) > 20);
        assert!(count("severity", json!("normal")) > 100);
        assert!(count("actionType", json!("read")) > 50);
        assert!(count("actionType", json!("delete")) > 20);
        assert!(count("actionType", Value::Null) > 50);
    }

    #[test]
    fn the_docs_example_action_is_as_documented() {
        let (actions, _) = catalogue();
        let a = actions.by_external_id("ec2:DeleteRoute").unwrap();
        assert_eq!(a["id"], "ZWMyOkRlbGV0ZVJvdXRl");
        assert_eq!(a["severity"], "high");
        assert_eq!(a["actionType"], "delete");
        assert_eq!(a["resourceTypes"], json!(["route-table", "prefix-list"]));
    }
}
