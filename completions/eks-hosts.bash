# bash completion for eks-hosts                              -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/eks-hosts (make install).

# Profile names, parsed by eks-hosts itself (the same parser as the AWS config).
_eks_hosts_profiles()
{
    eks-hosts --list-profiles 2>/dev/null
}

_eks_hosts_regions()
{
    echo af-south-1 ap-east-1 ap-east-2 ap-northeast-1 ap-northeast-2 ap-northeast-3 \
        ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 \
        ap-southeast-5 ap-southeast-7 ca-central-1 ca-west-1 eu-central-1 eu-central-2 \
        eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 il-central-1 \
        me-central-1 me-south-1 mx-central-1 sa-east-1 us-east-1 us-east-2 us-west-1 \
        us-west-2 cn-north-1 cn-northwest-1 us-gov-east-1 us-gov-west-1 \
        us-iso-east-1 us-iso-west-1 us-isob-east-1
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
    --cluster-name|--name|--resolver|--endpoint)
        return 0 ;;
    esac

    local opts="--cluster-name --name --region --profile --resolver --endpoint
        --check --probe --remove --dry-run --all --hosts-file --flush-dns
        -v --verbose -h --help --version"
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
}
complete -F _eks_hosts eks-hosts
