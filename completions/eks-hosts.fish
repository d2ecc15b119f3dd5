# fish completion for eks-hosts (make install puts it in
# share/fish/vendor_completions.d).

function __eks_hosts_profiles
    eks-hosts --list-profiles 2>/dev/null
end


complete -c eks-hosts -f
complete -c eks-hosts -l cluster-name -r -d 'EKS cluster name'
complete -c eks-hosts -l name -r -d 'EKS cluster name (alias of --cluster-name)'
complete -c eks-hosts -l region -x -a '(eks-hosts --list-regions 2>/dev/null)' -d 'AWS region'
complete -c eks-hosts -l profile -x -a '(__eks_hosts_profiles)' -d 'AWS profile'
complete -c eks-hosts -l resolver -r -d 'DNS servers HOST[:PORT],... to take the addresses from'
complete -c eks-hosts -l endpoint -r -d 'cluster endpoint URL (with --resolver)'
complete -c eks-hosts -l check -d 'compare DNS and the hosts file with the cluster addresses'
complete -c eks-hosts -l probe -d 'with --check: try TCP port 443 on each address'
complete -c eks-hosts -l remove -d "delete the cluster's block"
complete -c eks-hosts -l dry-run -d 'print a unified diff, write nothing'
complete -c eks-hosts -l all -d 'every cluster with private access in the region'
complete -c eks-hosts -l hosts-file -r -F -d 'hosts file (default /etc/hosts)'
complete -c eks-hosts -l flush-dns -d 'flush the system DNS cache after a change'
complete -c eks-hosts -l list -d 'every eks-hosts block and whether it is current'
complete -c eks-hosts -s o -l output -x -a 'table json' -d 'with --list: output format'
complete -c eks-hosts -l restore -d 'put back the backup kept by the last change'
complete -c eks-hosts -s v -l verbose -d 'diagnostics on stderr'
complete -c eks-hosts -s h -l help -d 'show help'
complete -c eks-hosts -l version -d 'show version'
