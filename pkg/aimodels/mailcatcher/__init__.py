"""A local mail catcher like the Supabase CLI's (Inbucket, Mailpit): SMTP in, HTTP out.

It imports nothing of ours: the stack starts it as a process by command line.
"""
