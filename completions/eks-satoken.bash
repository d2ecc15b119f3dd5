# bash completion for eks-satoken                            -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/eks-satoken (make install).

# Context names of the kubeconfig named on the command line (or the default).
_eks_satoken_contexts()
{
    local i kc=()
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        [ "${COMP_WORDS[i]}" = --kubeconfig ] && kc=(--kubeconfig "${COMP_WORDS[i+1]}")
    done
    kubectl config get-contexts -o name "${kc[@]}" 2>/dev/null
}

_eks_satoken()
{
    local cur prev
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}

    case $prev in
    --context)
        COMPREPLY=($(compgen -W "$(_eks_satoken_contexts)" -- "$cur"))
        return 0 ;;
    --kubeconfig|--output-file)
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0 ;;
    -o|--output)
        COMPREPLY=($(compgen -W "token json exec-credential kubeconfig" -- "$cur"))
        return 0 ;;
    --bound-object-kind)
        COMPREPLY=($(compgen -W "Pod Secret Node" -- "$cur"))
        return 0 ;;
    --role-kind)
        COMPREPLY=($(compgen -W "Role ClusterRole" -- "$cur"))
        return 0 ;;
    -n|--namespace|--service-account|--duration|--audience|--bound-object-name|\
    --bound-object-uid|--bind-clusterrole|--bind-role|--timeout)
        return 0 ;;
    esac

    local opts="--kubeconfig --context -n --namespace --service-account --duration
        --audience --bound-object-kind --bound-object-name --bound-object-uid --create
        --bind-clusterrole --bind-role --role-kind --legacy-secret --revoke --timeout
        -o --output --output-file --no-cache -v --verbose -h --help --version"
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
}
complete -F _eks_satoken eks-satoken
