# bash completion for eks-kubeconfig                         -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/eks-kubeconfig (make install).

# Profile names, parsed by eks-kubeconfig itself (the same parser as the AWS config).
_eks_kubeconfig_profiles()
{
    eks-kubeconfig --list-profiles 2>/dev/null
}

_eks_kubeconfig_regions()
{
    eks-kubeconfig --list-regions 2>/dev/null
}

# `eks-kubeconfig convert [--context NAME]... [--kubeconfig PATH] [--dry-run] [--to aws]`
_eks_kubeconfig_convert()
{
    local cur=$1 prev=$2
    case $prev in
    --context)
        COMPREPLY=($(compgen -W "$(kubectl config get-contexts -o name 2>/dev/null)" -- "$cur"))
        return 0 ;;
    --to)
        COMPREPLY=($(compgen -W "eks-token aws" -- "$cur"))
        return 0 ;;
    --kubeconfig)
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0 ;;
    --exec-command)
        COMPREPLY=($(compgen -W "eks-token" -- "$cur") $(compgen -f -- "$cur"))
        return 0 ;;
    esac
    COMPREPLY=($(compgen -W "--context --kubeconfig --dry-run --to --exec-command
        --exec-absolute -v --verbose -h --help --version" -- "$cur"))
}

_eks_kubeconfig()
{
    local cur prev
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}

    if [ "${COMP_WORDS[1]}" = convert ] && [ "$COMP_CWORD" -gt 1 ]; then
        _eks_kubeconfig_convert "$cur" "$prev"
        return 0
    fi

    case $prev in
    --profile)
        COMPREPLY=($(compgen -W "$(_eks_kubeconfig_profiles)" -- "$cur"))
        return 0 ;;
    --region)
        COMPREPLY=($(compgen -W "$(_eks_kubeconfig_regions)" -- "$cur"))
        return 0 ;;
    --regions|--profiles)
        # comma-separated: complete the item after the last comma
        local head="" words
        [[ $cur == *,* ]] && head=${cur%,*},
        if [ "$prev" = --regions ]; then words=$(_eks_kubeconfig_regions); else words=$(_eks_kubeconfig_profiles); fi
        COMPREPLY=($(compgen -P "$head" -W "$words" -- "${cur##*,}"))
        compopt -o nospace 2>/dev/null
        return 0 ;;
    --exec-api-version)
        COMPREPLY=($(compgen -W "v1beta1 v1" -- "$cur"))
        return 0 ;;
    --exec-command)
        COMPREPLY=($(compgen -W "eks-token aws" -- "$cur") $(compgen -c -- "$cur"))
        return 0 ;;
    --kubeconfig|--output-file|--users)
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0 ;;
    --output-dir)
        COMPREPLY=($(compgen -d -- "$cur"))
        return 0 ;;
    --cluster-name|--name|--role-arn|--alias|--user-alias|--shared-user|--cluster-alias|--namespace|--env|--proxy-url|--lock-timeout|--server|--assume-role-arn)
        return 0 ;;
    esac

    local opts="--cluster-name --name --all --region --profile --role-arn --alias
        --user-alias --cluster-alias --namespace --kubeconfig --keep-current-context
        --exec-api-version --exec-command --env --proxy-url --dry-run --output-file
        --users --output-dir --lock-timeout --server --private-ip --probe --exec-absolute --shared-user -v --verbose -h --help --version
        --regions --all-regions --profiles --all-profiles --prune --assume-role-arn
        --force --profile-arg --no-profile"
    [ "$COMP_CWORD" -eq 1 ] && opts="convert $opts"
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
}
complete -F _eks_kubeconfig eks-kubeconfig
