# SPDX-License-Identifier: ISC
# bash completion for vinit (vinit(8)): its options, its commands and their
# options; the names of the services and of the variables come from the
# running PID 1 (vinit status, vinit env), asked through its control socket
# as the command itself finds it ($VINIT_RUNDIR, else /run/vinit or
# /tmp/vinit-UID), waiting at most a second. Needs nothing of the
# bash-completion package; make install puts it where that package loads it.

# _vinit_ask VINIT ARGS...: the answer of the running PID 1, or nothing
_vinit_ask() {
    VINIT_CTL_TIMEOUT=1s "$@" 2>/dev/null
}

_vinit() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local vinit=${COMP_WORDS[0]} verbs="status health start stop restart reload env shutdown doctor"
    local opts="-t --stop-timeout -s --services-dir -v --verbose -q --quiet -h --help -V --version --"
    local i=1 cmd=-1 words
    # the vinit being completed, when it is a path; else the one on PATH
    [[ $vinit == */* && -x $vinit ]] || vinit=vinit
    # bash splits --opt=value and NAME=value at the '='
    [[ $cur == = ]] && cur=""
    [[ $prev == = && $COMP_CWORD -gt 1 ]] && prev=${COMP_WORDS[COMP_CWORD - 2]}
    COMPREPLY=()

    # vinit COMMAND ...: the client of the running PID 1 (the first word only)
    if [[ $COMP_CWORD -gt 1 && " $verbs " == *" ${COMP_WORDS[1]} "* ]]; then
        case ${COMP_WORDS[1]} in
        status)
            [[ $COMP_CWORD -eq 2 ]] && COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
        health)
            [[ $COMP_CWORD -eq 2 ]] && COMPREPLY=($(compgen -W "--ready --live" -- "$cur")) ;;
        shutdown)
            [[ $COMP_CWORD -eq 2 ]] && COMPREPLY=($(compgen -W "--reboot" -- "$cur")) ;;
        start | stop | restart | reload)
            words=$(_vinit_ask "$vinit" status | while read -r name _; do
                [[ $name == NAME ]] || printf '%s\n' "$name"
            done)
            COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;
        env)
            if [[ $COMP_CWORD -eq 2 ]]; then
                COMPREPLY=($(compgen -W "set unset" -- "$cur"))
            elif [[ ${COMP_WORDS[2]} == unset ]]; then
                words=$(_vinit_ask "$vinit" env | cut -d= -f1)
                COMPREPLY=($(compgen -W "$words" -- "$cur"))
            elif [[ ${COMP_WORDS[2]} == set && ${COMP_WORDS[COMP_CWORD]} != = &&
                ${COMP_WORDS[COMP_CWORD - 1]} != = ]]; then
                # a name, then its value is the user's
                words=$(_vinit_ask "$vinit" env | cut -d= -f1)
                COMPREPLY=($(compgen -W "$words" -S = -- "$cur"))
                compopt -o nospace 2>/dev/null
            fi ;;
        doctor)
            case $prev in
            -s | --services-dir | --libvirt-dir) COMPREPLY=($(compgen -d -- "$cur")) ;;
            *) COMPREPLY=($(compgen -W "--json -s --services-dir --libvirt-dir" -- "$cur")) ;;
            esac ;;
        esac
        return 0
    fi

    # vinit [options] [--] [COMMAND ARGS...]: where the main command starts
    while [[ $i -lt $COMP_CWORD ]]; do
        case ${COMP_WORDS[i]} in
        --) cmd=$((i + 1)); break ;;
        -t | -s | --stop-timeout | --services-dir)
            if [[ ${COMP_WORDS[i + 1]} == = ]]; then i=$((i + 3)); else i=$((i + 2)); fi ;;
        -*) i=$((i + 1)) ;;
        *) cmd=$i; break ;;
        esac
    done
    if [[ $cmd -ge 0 ]]; then
        if [[ $cmd -eq $COMP_CWORD ]]; then
            COMPREPLY=($(compgen -c -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return 0
    fi
    case $prev in
    -s | --services-dir)
        COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
    -t | --stop-timeout)
        return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ $COMP_CWORD -eq 1 ]]; then
        # the commands of the client first; a main command when none fits
        COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
        [[ ${#COMPREPLY[@]} -gt 0 || -z $cur ]] || COMPREPLY=($(compgen -c -- "$cur"))
    else
        COMPREPLY=($(compgen -c -- "$cur"))
    fi
    return 0
}
complete -F _vinit vinit
