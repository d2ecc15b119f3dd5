# bash completion for eks-token                              -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/eks-token (make install).

# Profile names, parsed by eks-token itself (the same parser as the AWS config).
_eks_token_profiles()
{
    eks-token --list-profiles 2>/dev/null
}

_eks_token_regions()
{
    eks-token --list-regions 2>/dev/null
}

_eks_token()
{
    local cur prev
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}

    case $prev in
    --profile)
        COMPREPLY=($(compgen -W "$(_eks_token_profiles)" -- "$cur"))
        return 0 ;;
    --region)
        COMPREPLY=($(compgen -W "$(_eks_token_regions)" -- "$cur"))
        return 0 ;;
    --cluster-name|--name|-i|--cluster-id|--role-arn|-r|--role|--session-name|-s|--external-id|-e)
        return 0 ;;
    esac

    local opts="--cluster-name --name -i --cluster-id --region --profile
        --role-arn -r --role --session-name -s --external-id -e --forward-session-name
        --token-only --cache --no-cache --clear-cache -v --verbose -h --help --version token"
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
}
complete -F _eks_token eks-token
complete -F _eks_token aws-iam-authenticator
