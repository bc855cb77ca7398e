"""The processes of this job: for now always one (the MPI world arrives with the transport)."""


def world():
    """The ProcessGroup of a job of several processes; None: this process is the whole job."""
    return None


def process_count() -> int:
    return 1


def process_index() -> int:
    return 0
