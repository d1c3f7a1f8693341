# Deliberately empty: pupils, incidents and drafts are not in the technical admin site. Cases are
# read only through the case pages, where access is checked per school and every view is audited.
