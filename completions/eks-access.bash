# bash completion for eks-access                             -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/eks-access (make install).

_eks_access_contexts()
{
    local i kc=()
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        [ "${COMP_WORDS[i]}" = --kubeconfig ] && kc=(--kubeconfig "${COMP_WORDS[i+1]}")
    done
    kubectl config get-contexts -o name "${kc[@]}" 2>/dev/null
}

_eks_access()
{
    local cur prev i cmd=
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}

    case $prev in
    --context)
        COMPREPLY=($(compgen -W "$(_eks_access_contexts)" -- "$cur"))
        return 0 ;;
    --kubeconfig)
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0 ;;
    --profile)
        COMPREPLY=($(compgen -W "$(eks-access --list-profiles 2>/dev/null)" -- "$cur"))
        return 0 ;;
    --region)
        COMPREPLY=($(compgen -W "$(eks-access --list-regions 2>/dev/null)" -- "$cur"))
        return 0 ;;
    -o|--output)
        COMPREPLY=($(compgen -W "table json yaml" -- "$cur"))
        return 0 ;;
    --type)
        COMPREPLY=($(compgen -W "STANDARD EC2_LINUX EC2_WINDOWS FARGATE_LINUX HYBRID_LINUX" -- "$cur"))
        return 0 ;;
    --scope)
        COMPREPLY=($(compgen -W "cluster namespace" -- "$cur"))
        return 0 ;;
    --group)
        COMPREPLY=($(compgen -W "system:masters system:nodes system:bootstrappers" -- "$cur"))
        return 0 ;;
    --policy)
        COMPREPLY=($(compgen -W "AmazonEKSClusterAdminPolicy AmazonEKSAdminPolicy AmazonEKSEditPolicy AmazonEKSViewPolicy" -- "$cur"))
        return 0 ;;
    --cluster-name|--name|--username|--kubernetes-group|-n|--namespace|--principal)
        return 0 ;;
    esac

    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -*) ;;
        *) case ${COMP_WORDS[i-1]} in
           --context|--kubeconfig|--profile|--region|-o|--output|--type|--scope|--group|\
           --policy|--cluster-name|--name|--username|--kubernetes-group|-n|--namespace|\
           --principal) ;;
           *) cmd=${COMP_WORDS[i]}; break ;;
           esac ;;
        esac
    done

    if [ -z "$cmd" ] && [[ $cur != -* ]]; then
        COMPREPLY=($(compgen -W "list add-role add-user add-account remove entry migrate whoami" -- "$cur"))
        return 0
    fi
    if [ "$cmd" = entry ] && [[ $cur != -* ]] && [ "${COMP_WORDS[COMP_CWORD-1]}" = entry ]; then
        COMPREPLY=($(compgen -W "list describe create update delete associate disassociate" -- "$cur"))
        return 0
    fi

    local opts="--kubeconfig --context --cluster-name --name --region --profile -o --output
        --dry-run --force --replace -v --verbose --apply --username --group --type
        --kubernetes-group --policy --scope -n --namespace --principal -h --help --version"
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
}
complete -F _eks_access eks-access
