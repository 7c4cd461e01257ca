# Order bot: greets and counts
#  (indented notes too)
   # a comment line may be indented
TALK "hello"
#1 numbered note
x = #{a: 1}
TALK x.a
