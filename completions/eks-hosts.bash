# bash completion for eks-hosts                              -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/eks-hosts (make install).

# Profile names, parsed by eks-hosts itself (the same parser as the AWS config).
_eks_hosts_profiles()
{
    eks-hosts --list-profiles 2>/dev/null
}

_eks_hosts_regions()
{
    eks-hosts --list-regions 2>/dev/null
}

_eks_hosts()
{
    local cur prev
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}

    case $prev in
    --profile)
        COMPREPLY=($(compgen -W "$(_eks_hosts_profiles)" -- "$cur"))
        return 0 ;;
    --region)
        COMPREPLY=($(compgen -W "$(_eks_hosts_regions)" -- "$cur"))
        return 0 ;;
    --hosts-file)
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0 ;;
    -o|--output)
        COMPREPLY=($(compgen -W "table json" -- "$cur"))
        return 0 ;;
    --cluster-name|--name|--resolver|--endpoint)
        return 0 ;;
    esac

    local opts="--cluster-name --name --region --profile --resolver --endpoint
        --check --probe --remove --dry-run --all --hosts-file --flush-dns
        --list -o --output --restore
        -v --verbose -h --help --version"
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
}
complete -F _eks_hosts eks-hosts
