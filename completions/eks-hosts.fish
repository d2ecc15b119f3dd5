# fish completion for eks-hosts (make install puts it in
# share/fish/vendor_completions.d).

function __eks_hosts_profiles
    eks-hosts --list-profiles 2>/dev/null
end

set -l __eks_hosts_regions af-south-1 ap-east-1 ap-east-2 ap-northeast-1 ap-northeast-2 \
    ap-northeast-3 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 \
    ap-southeast-4 ap-southeast-5 ap-southeast-7 ca-central-1 ca-west-1 eu-central-1 \
    eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 \
    il-central-1 me-central-1 me-south-1 mx-central-1 sa-east-1 us-east-1 us-east-2 \
    us-west-1 us-west-2 cn-north-1 cn-northwest-1 us-gov-east-1 us-gov-west-1 \
    us-iso-east-1 us-iso-west-1 us-isob-east-1

complete -c eks-hosts -f
complete -c eks-hosts -l cluster-name -r -d 'EKS cluster name'
complete -c eks-hosts -l name -r -d 'EKS cluster name (alias of --cluster-name)'
complete -c eks-hosts -l region -x -a "$__eks_hosts_regions" -d 'AWS region'
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
complete -c eks-hosts -s v -l verbose -d 'diagnostics on stderr'
complete -c eks-hosts -s h -l help -d 'show help'
complete -c eks-hosts -l version -d 'show version'
