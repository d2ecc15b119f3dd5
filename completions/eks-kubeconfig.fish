# fish completion for eks-kubeconfig (make install puts it in
# share/fish/vendor_completions.d).

function __eks_kubeconfig_profiles
    eks-kubeconfig --list-profiles 2>/dev/null
end


complete -c eks-kubeconfig -f
complete -c eks-kubeconfig -l cluster-name -x -d 'EKS cluster name'
complete -c eks-kubeconfig -l name -x -d 'EKS cluster name (alias of --cluster-name)'
complete -c eks-kubeconfig -l all -d 'every cluster in the region'
complete -c eks-kubeconfig -l region -x -a '(eks-kubeconfig --list-regions 2>/dev/null)' -d 'AWS region'
complete -c eks-kubeconfig -l profile -x -a '(__eks_kubeconfig_profiles)' -d 'AWS profile'
complete -c eks-kubeconfig -l role-arn -x -d 'IAM role for the token'
complete -c eks-kubeconfig -l alias -x -d 'context name'
complete -c eks-kubeconfig -l user-alias -x -d 'user entry name'
complete -c eks-kubeconfig -l cluster-alias -x -d 'cluster entry name'
complete -c eks-kubeconfig -l namespace -x -d 'default namespace of the context'
complete -c eks-kubeconfig -l kubeconfig -r -F -d 'kubeconfig to merge into'
complete -c eks-kubeconfig -l keep-current-context -d 'do not change current-context'
complete -c eks-kubeconfig -l exec-api-version -x -a 'v1beta1 v1' -d 'exec plugin apiVersion'
complete -c eks-kubeconfig -l exec-command -x -a 'eks-token aws' -d 'exec command'
complete -c eks-kubeconfig -l env -x -d 'exec environment variable KEY=VALUE'
complete -c eks-kubeconfig -l proxy-url -x -d 'proxy for kubectl'
complete -c eks-kubeconfig -l server -x -d 'connect to this https URL (tunnel); tls-server-name = endpoint host'
complete -c eks-kubeconfig -l private-ip -d 'connect to a private address of the endpoint'
complete -c eks-kubeconfig -l probe -d 'with --private-ip: the first address accepting TCP 443'
complete -c eks-kubeconfig -l dry-run -d 'print what would change, write nothing'
complete -c eks-kubeconfig -l output-file -r -F -d 'standalone kubeconfig'
complete -c eks-kubeconfig -l users -r -F -d 'YAML list of users'
complete -c eks-kubeconfig -l output-dir -x -a '(__fish_complete_directories)' -d 'directory for per-user kubeconfigs'
complete -c eks-kubeconfig -l lock-timeout -x -d 'seconds to wait for a held lock'
complete -c eks-kubeconfig -l regions -x -a '(eks-kubeconfig --list-regions 2>/dev/null)' -d 'regions to scan with --all (comma-separated)'
complete -c eks-kubeconfig -l all-regions -d 'every region of the partition, with --all'
complete -c eks-kubeconfig -l profiles -x -a '(__eks_kubeconfig_profiles)' -d 'profiles to scan with --all (comma-separated)'
complete -c eks-kubeconfig -l all-profiles -d 'every profile, with --all'
complete -c eks-kubeconfig -l prune -d 'remove ekskit entries of deleted clusters, with --all'
complete -c eks-kubeconfig -l assume-role-arn -x -d 'IAM role that describes the clusters'
complete -c eks-kubeconfig -l force -d 'change a user entry other contexts use'
complete -c eks-kubeconfig -l profile-arg -d 'record the profile as --profile in the exec args'
complete -c eks-kubeconfig -l no-profile -d 'record no profile in the exec block'
complete -c eks-kubeconfig -s v -l verbose -d 'diagnostics on stderr'
complete -c eks-kubeconfig -s h -l help -d 'show help'
complete -c eks-kubeconfig -l version -d 'show version'
complete -c eks-kubeconfig -l exec-absolute -d "write eks-token's absolute path"
complete -c eks-kubeconfig -l shared-user -x -d 'one user entry for every cluster (provideClusterInfo)'

# eks-kubeconfig convert [--context NAME]... [--kubeconfig PATH] [--dry-run] [--to aws]
complete -c eks-kubeconfig -n __fish_use_subcommand -a convert -d 'rewrite aws / aws-iam-authenticator users to eks-token'
complete -c eks-kubeconfig -n '__fish_seen_subcommand_from convert' -l context -x -a '(kubectl config get-contexts -o name 2>/dev/null)' -d 'convert only the user of this context'
complete -c eks-kubeconfig -n '__fish_seen_subcommand_from convert' -l to -x -a 'eks-token aws' -d 'exec command to write'
