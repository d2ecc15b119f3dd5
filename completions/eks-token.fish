# fish completion for eks-token (make install puts it in
# share/fish/vendor_completions.d).

function __eks_token_profiles
    eks-token --list-profiles 2>/dev/null
end


complete -c eks-token -f
complete -c eks-token -n __fish_use_subcommand -a token -d 'aws-iam-authenticator style: eks-token token -i CLUSTER'
complete -c eks-token -l cluster-name -r -d 'EKS cluster name'
complete -c eks-token -l name -r -d 'EKS cluster name (alias of --cluster-name)'
complete -c eks-token -s i -l cluster-id -r -d 'cluster id (Outposts, aws-iam-authenticator style)'
complete -c eks-token -l region -x -a '(eks-token --list-regions 2>/dev/null)' -d 'AWS region'
complete -c eks-token -l profile -x -a '(__eks_token_profiles)' -d 'AWS profile'
complete -c eks-token -l role-arn -r -d 'IAM role to assume'
complete -c eks-token -s r -l role -r -d 'IAM role to assume (alias of --role-arn)'
complete -c eks-token -s s -l session-name -r -d 'role session name for --role-arn'
complete -c eks-token -s e -l external-id -r -d 'external id for --role-arn'
complete -c eks-token -l forward-session-name -d "with --role-arn, reuse the caller's role session name"
complete -c eks-token -l token-only -d 'print only the token'
complete -c eks-token -l cache -d 'accepted for aws-iam-authenticator command lines'
complete -c eks-token -l no-cache -d 'neither read nor write the credential cache'
complete -c eks-token -l clear-cache -d 'remove every cached credential first'
complete -c eks-token -s v -l verbose -d 'diagnostics on stderr'
complete -c eks-token -s h -l help -d 'show help'
complete -c eks-token -l version -d 'show version'
