# fish completion for eks-satoken (make install puts it in
# share/fish/vendor_completions.d).

function __eks_satoken_contexts
    set -l kc
    set -l words (commandline -opc)
    for i in (seq (count $words))
        if test "$words[$i]" = --kubeconfig; and test $i -lt (count $words)
            set kc --kubeconfig $words[(math $i + 1)]
        end
    end
    kubectl config get-contexts -o name $kc 2>/dev/null
end

complete -c eks-satoken -f
complete -c eks-satoken -l kubeconfig -r -F -d 'kubeconfig to read'
complete -c eks-satoken -l context -x -a '(__eks_satoken_contexts)' -d 'context to use'
complete -c eks-satoken -s n -l namespace -x -d 'namespace of the service account'
complete -c eks-satoken -l service-account -x -d 'service account'
complete -c eks-satoken -l duration -x -d 'token lifetime (Go duration, at least 10m)'
complete -c eks-satoken -l audience -x -d 'intended audience (repeatable)'
complete -c eks-satoken -l bound-object-kind -x -a 'Pod Secret Node' -d 'bind the token to an object'
complete -c eks-satoken -l bound-object-name -x -d 'name of the bound object'
complete -c eks-satoken -l bound-object-uid -x -d 'UID of the bound object'
complete -c eks-satoken -l create -d 'create the service account when missing'
complete -c eks-satoken -l bind-clusterrole -x -d 'grant a ClusterRole cluster-wide'
complete -c eks-satoken -l bind-role -x -d 'grant a role in the namespace'
complete -c eks-satoken -l role-kind -x -a 'Role ClusterRole' -d 'what --bind-role names'
complete -c eks-satoken -l legacy-secret -d 'use a long-lived token Secret'
complete -c eks-satoken -l revoke -d 'delete the legacy Secret or the bound object'
complete -c eks-satoken -l timeout -x -d 'time limit for API calls'
complete -c eks-satoken -s o -l output -x -a 'token json exec-credential kubeconfig' -d 'output format'
complete -c eks-satoken -l output-file -r -F -d 'write the output here (mode 0600)'
complete -c eks-satoken -l no-cache -d 'exec-credential: bypass the token cache'
complete -c eks-satoken -s v -l verbose -d 'diagnostics on stderr'
complete -c eks-satoken -s h -l help -d 'show help'
complete -c eks-satoken -l version -d 'show the version'
