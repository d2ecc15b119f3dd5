# fish completion for eks-token (make install puts it in
# share/fish/vendor_completions.d).

function __eks_token_profiles
    eks-token --list-profiles 2>/dev/null
end

set -l __eks_token_regions af-south-1 ap-east-1 ap-east-2 ap-northeast-1 ap-northeast-2 \
    ap-northeast-3 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 \
    ap-southeast-4 ap-southeast-5 ap-southeast-7 ca-central-1 ca-west-1 eu-central-1 \
    eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 \
    il-central-1 me-central-1 me-south-1 mx-central-1 sa-east-1 us-east-1 us-east-2 \
    us-west-1 us-west-2 cn-north-1 cn-northwest-1 us-gov-east-1 us-gov-west-1 \
    us-iso-east-1 us-iso-west-1 us-isob-east-1

complete -c eks-token -f
complete -c eks-token -l cluster-name -r -d 'EKS cluster name'
complete -c eks-token -l name -r -d 'EKS cluster name (alias of --cluster-name)'
complete -c eks-token -s i -l cluster-id -r -d 'cluster id (Outposts, aws-iam-authenticator style)'
complete -c eks-token -l region -x -a "$__eks_token_regions" -d 'AWS region'
complete -c eks-token -l profile -x -a '(__eks_token_profiles)' -d 'AWS profile'
complete -c eks-token -l role-arn -r -d 'IAM role to assume'
complete -c eks-token -s r -l role -r -d 'IAM role to assume (alias of --role-arn)'
complete -c eks-token -l session-name -r -d 'role session name for --role-arn'
complete -c eks-token -l external-id -r -d 'external id for --role-arn'
complete -c eks-token -l forward-session-name -d "with --role-arn, reuse the caller's role session name"
complete -c eks-token -l token-only -d 'print only the token'
complete -c eks-token -l no-cache -d 'neither read nor write the credential cache'
complete -c eks-token -l clear-cache -d 'remove every cached credential first'
complete -c eks-token -s v -l verbose -d 'diagnostics on stderr'
complete -c eks-token -s h -l help -d 'show help'
complete -c eks-token -l version -d 'show version'
