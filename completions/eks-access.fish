# fish completion for eks-access (make install puts it in
# share/fish/vendor_completions.d).

function __eks_access_contexts
    set -l kc
    set -l words (commandline -opc)
    for i in (seq (count $words))
        if test "$words[$i]" = --kubeconfig; and test $i -lt (count $words)
            set kc --kubeconfig $words[(math $i + 1)]
        end
    end
    kubectl config get-contexts -o name $kc 2>/dev/null
end

set -l __eks_access_cmds list add-role add-user add-account remove entry migrate whoami
complete -c eks-access -f
complete -c eks-access -n "not __fish_seen_subcommand_from $__eks_access_cmds" -a list -d 'aws-auth mappings and access entries'
complete -c eks-access -n "not __fish_seen_subcommand_from $__eks_access_cmds" -a add-role -d 'map an IAM role in aws-auth'
complete -c eks-access -n "not __fish_seen_subcommand_from $__eks_access_cmds" -a add-user -d 'map an IAM user in aws-auth'
complete -c eks-access -n "not __fish_seen_subcommand_from $__eks_access_cmds" -a add-account -d 'map every principal of an account'
complete -c eks-access -n "not __fish_seen_subcommand_from $__eks_access_cmds" -a remove -d 'remove every aws-auth mapping of a principal'
complete -c eks-access -n "not __fish_seen_subcommand_from $__eks_access_cmds" -a entry -d 'EKS access entries'
complete -c eks-access -n "not __fish_seen_subcommand_from $__eks_access_cmds" -a migrate -d 'aws-auth mappings to access entries'
complete -c eks-access -n "not __fish_seen_subcommand_from $__eks_access_cmds" -a whoami -d 'which mapping or entry applies'
complete -c eks-access -n "__fish_seen_subcommand_from entry" -a 'list describe create update delete associate disassociate'
complete -c eks-access -l kubeconfig -r -F -d 'kubeconfig to read'
complete -c eks-access -l context -x -a '(__eks_access_contexts)' -d 'kubeconfig context'
complete -c eks-access -l cluster-name -x -d 'EKS cluster (access entries)'
complete -c eks-access -l name -x -d 'EKS cluster (alias of --cluster-name)'
complete -c eks-access -l region -x -a '(eks-access --list-regions 2>/dev/null)' -d 'AWS region'
complete -c eks-access -l profile -x -a '(eks-access --list-profiles 2>/dev/null)' -d 'AWS profile'
complete -c eks-access -s o -l output -x -a 'table json yaml' -d 'output format'
complete -c eks-access -l dry-run -d 'show a diff, write nothing'
complete -c eks-access -l force -d 'allow a change that locks admins or nodes out'
complete -c eks-access -l replace -d 'replace a different mapping of the principal'
complete -c eks-access -s v -l verbose -d 'diagnostics on stderr'
complete -c eks-access -l apply -d 'migrate: create the access entries'
complete -c eks-access -l username -x -d 'Kubernetes user name'
complete -c eks-access -l group -x -a 'system:masters system:nodes system:bootstrappers' -d 'Kubernetes group (aws-auth)'
complete -c eks-access -l type -x -a 'STANDARD EC2_LINUX EC2_WINDOWS FARGATE_LINUX HYBRID_LINUX' -d 'access entry type'
complete -c eks-access -l kubernetes-group -x -d 'Kubernetes group (access entry)'
complete -c eks-access -l policy -x -a 'AmazonEKSClusterAdminPolicy AmazonEKSAdminPolicy AmazonEKSEditPolicy AmazonEKSViewPolicy' -d 'access policy'
complete -c eks-access -l scope -x -a 'cluster namespace' -d 'access policy scope'
complete -c eks-access -s n -l namespace -x -d 'namespace of a namespace scope'
complete -c eks-access -l principal -x -d 'whoami: explain this principal'
complete -c eks-access -s h -l help -d 'show help'
complete -c eks-access -l version -d 'show the version'
